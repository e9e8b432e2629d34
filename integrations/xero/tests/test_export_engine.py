"""The export engine in this process against the sandbox over HTTP (the worker tests are in
test_export_worker.py): batching, contacts, look-up before resend, blocking, pages' data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import Customer
from integrations.xero.export.services import (
    export_recover_stuck,
    export_run_drive,
    export_run_start,
    export_run_step,
)
from integrations.xero.models import (
    AttemptOutcome,
    ExportAttempt,
    ExportRun,
    ExportRunStatus,
    ExportTrigger,
    XeroSettings,
)
from integrations.xero.tests.export_support import (
    customers_bulk_make,
    invoices_bulk_make,
    sandbox_invoices_by_number,
    xero_connection_make,
)
from invoicing.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(tenant, xero_sandbox, xero_sandbox_settings):
    xero_sandbox_settings.XERO_HTTP_TIMEOUT = 2
    xero_sandbox_settings.REDIS_URL = ""  # the PostgreSQL limiter here; the worker tests use Redis
    XeroSettings.objects.update_or_create(
        tenant=tenant, defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}}
    )
    return xero_connection_make(tenant=tenant, sandbox=xero_sandbox)


def _export(tenant, **kw):
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False, **kw)
    return export_run_drive(run_id=run.id, max_wait=120)


def test_exports_120_invoices_in_three_batches_with_new_contacts(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=7)
    invoices_bulk_make(tenant=tenant, customers=customers, count=120)
    xero_sandbox.control.clear_requests()
    run = _export(tenant)
    assert run.status == ExportRunStatus.FINISHED, run.message
    assert run.exported_count == 120 and run.failed_count == 0
    held = sandbox_invoices_by_number(xero_sandbox, connected.xero_tenant_id)
    assert sorted(held) == sorted(Invoice.objects.values_list("number", flat=True))
    assert all(len(v) == 1 for v in held.values())
    puts = xero_sandbox.control.requests(method="PUT", path="/api.xro/2.0/Invoices")
    assert len(puts) == 3
    assert all(str(r["query"].get("summarizeErrors")).lower() == "false" for r in puts)
    assert all(r["idempotency_key"] and len(r["idempotency_key"]) <= 128 for r in puts)
    assert all(len(r["body"]["Invoices"]) <= 50 for r in puts)
    assert Customer.objects.filter(xero_contact_id="").count() == 0
    assert len(xero_sandbox.control.contacts(connected.xero_tenant_id)) >= 7
    assert not Invoice.objects.exclude(status=InvoiceStatus.EXPORTED).exists()
    inv = Invoice.objects.order_by("id")[0]
    assert inv.xero_invoice_id == held[inv.number][0]["InvoiceID"]


def test_existing_contact_with_same_name_is_matched_not_duplicated(tenant, connected, xero_sandbox):
    (customer,) = customers_bulk_make(tenant=tenant, count=1)
    (made,) = xero_sandbox.control.add_contacts(connected.xero_tenant_id, [{"Name": customer.name}])
    invoices_bulk_make(tenant=tenant, customers=[customer], count=1)
    run = _export(tenant)
    assert run.exported_count == 1
    customer.refresh_from_db()
    assert customer.xero_contact_id == made["ContactID"]
    names = [c["Name"] for c in xero_sandbox.control.contacts(connected.xero_tenant_id)]
    assert names.count(customer.name) == 1


def test_validation_errors_fail_only_that_invoice_with_xeros_words(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=2)
    good, bad = invoices_bulk_make(tenant=tenant, customers=customers, count=2)
    bad.lines.update(account_code="999999")
    run = _export(tenant)
    assert (run.exported_count, run.failed_count) == (1, 1)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.status == InvoiceStatus.EXPORTED
    assert bad.status == InvoiceStatus.EXPORT_FAILED and bad.export_error
    assert ExportAttempt.objects.get(invoice=bad).outcome == AttemptOutcome.FAILED


def test_commit_then_timeout_is_adopted_by_lookup_not_resent(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=3)
    invoices_bulk_make(tenant=tenant, customers=customers, count=60)
    # Contacts first, so the fault hits the invoice PUT.
    xero_sandbox.control.add_fault("commit_then_timeout", method="PUT", path="/api.xro/2.0/Invoices", hold_seconds=3)
    run = _export(tenant)
    assert run.exported_count == 60, run.message
    held = sandbox_invoices_by_number(xero_sandbox, connected.xero_tenant_id)
    assert len(held) == 60 and all(len(v) == 1 for v in held.values())
    assert ExportAttempt.objects.filter(outcome=AttemptOutcome.ADOPTED).count() == 50


@pytest.mark.parametrize("kind", ["500", "503", "reset", "429"])
def test_transient_faults_end_exported_exactly_once(tenant, connected, xero_sandbox, kind):
    customers = customers_bulk_make(tenant=tenant, count=3)
    invoices_bulk_make(tenant=tenant, customers=customers, count=55)
    xero_sandbox.control.add_fault(kind, method="PUT", path="/api.xro/2.0/Invoices", times=2, retry_after=1)
    run = _export(tenant)
    assert run.exported_count == 55, run.message
    held = sandbox_invoices_by_number(xero_sandbox, connected.xero_tenant_id)
    assert len(held) == 55 and all(len(v) == 1 for v in held.values())
    assert not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()


def test_reconnect_required_blocks_the_run_and_gives_invoices_back(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices_bulk_make(tenant=tenant, customers=customers, count=3)
    connected.status = "needs_reconnect"
    connected.save()
    run = _export(tenant)
    assert run.status == ExportRunStatus.BLOCKED
    assert "reconnect" in run.message.lower()
    assert Invoice.objects.filter(status=InvoiceStatus.READY).count() == 3


def test_stuck_exporting_invoices_are_settled_by_lookup(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=2)
    invoices_bulk_make(tenant=tenant, customers=customers, count=4)
    run = _export(tenant)
    assert run.exported_count == 4
    # Simulate a killed worker: two exported invoices and two never-sent ones left "exporting".
    sent = list(Invoice.objects.order_by("id")[:2])
    extra = invoices_bulk_make(tenant=tenant, customers=customers, count=2, start=100)
    Invoice.objects.filter(id__in=[i.id for i in sent + extra]).update(
        status=InvoiceStatus.EXPORTING, exporting_since=None, xero_invoice_id=""
    )
    totals = export_recover_stuck(older_than=dt.timedelta(0))
    assert totals["adopted"] == 2 and totals["released"] == 2
    assert (
        Invoice.objects.filter(id__in=[i.id for i in sent], status=InvoiceStatus.EXPORTED)
        .exclude(xero_invoice_id="")
        .count()
        == 2
    )
    assert Invoice.objects.filter(id__in=[i.id for i in extra], status=InvoiceStatus.READY).count() == 2


def test_day_limit_defers_the_rest_with_a_visible_status(tenant, connected, xero_sandbox):
    xero_sandbox.control.config(day_limit=4)  # contacts: 2 look-ups + 1 create; then one batch
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices_bulk_make(tenant=tenant, customers=customers, count=120)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
    run = export_run_drive(run_id=run.id, max_wait=3)
    assert run.status == ExportRunStatus.DEFERRED
    assert run.deferred_until is not None and run.deferred_until > timezone.now() + dt.timedelta(hours=20)
    assert "daily" in run.message
    assert not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()
    assert Invoice.objects.filter(status=InvoiceStatus.EXPORTED).count() == 50
    assert ExportRun.objects.get(pk=run.pk).status == ExportRunStatus.DEFERRED


def test_two_overlapping_runs_never_send_an_invoice_twice(tenant, connected, xero_sandbox):
    """A double click (or the nightly run overlapping a manual one): both runs select the same invoices."""
    customers = customers_bulk_make(tenant=tenant, count=3)
    invoices_bulk_make(tenant=tenant, customers=customers, count=130)
    a = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL, enqueue=False)
    b = export_run_start(tenant=tenant, trigger=ExportTrigger.NIGHTLY, enqueue=False)
    pending = {a.id, b.id}
    for _ in range(40):
        for run_id in sorted(pending):
            export_run_step(run_id=run_id)
            if ExportRun.objects.get(pk=run_id).status == ExportRunStatus.FINISHED:
                pending.discard(run_id)
        if not pending:
            break
    assert not pending
    held = sandbox_invoices_by_number(xero_sandbox, connected.xero_tenant_id)
    assert len(held) == 130 and all(len(v) == 1 for v in held.values())
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.exported_count + b.exported_count == 130
    assert ExportAttempt.objects.values("invoice").distinct().count() == ExportAttempt.objects.count() == 130


def test_contact_is_matched_by_contact_number_before_name(tenant, connected, xero_sandbox):
    (customer,) = customers_bulk_make(tenant=tenant, count=1)
    (made,) = xero_sandbox.control.add_contacts(
        connected.xero_tenant_id, [{"Name": "Renamed in Xero Pty Ltd", "ContactNumber": customer.code}]
    )
    invoices_bulk_make(tenant=tenant, customers=[customer], count=1)
    assert _export(tenant).exported_count == 1
    customer.refresh_from_db()
    assert customer.xero_contact_id == made["ContactID"]
    assert len(xero_sandbox.control.contacts(connected.xero_tenant_id)) == 1


def test_a_corrected_failed_invoice_exports_on_the_next_run(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=1)
    (inv,) = invoices_bulk_make(tenant=tenant, customers=customers, count=1)
    inv.lines.update(account_code="999999")
    assert _export(tenant, invoice_ids=[inv.id]).failed_count == 1
    inv.lines.update(account_code="200")  # corrected on the edit page
    run = _export(tenant, invoice_ids=[inv.id])  # export_failed is exportable when selected
    assert run.exported_count == 1
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.EXPORTED and inv.export_error == ""
    assert list(sandbox_invoices_by_number(xero_sandbox, connected.xero_tenant_id)) == [inv.number]


def test_refresh_refused_mid_run_blocks_the_run_with_a_visible_reason(tenant, connected, xero_sandbox):
    """invalid_grant when the token is renewed: the run stops, nothing is left exporting."""
    from integrations.xero.crypto import secret_encrypt

    customers = customers_bulk_make(tenant=tenant, count=2)
    invoices_bulk_make(tenant=tenant, customers=customers, count=80)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL, enqueue=False)
    export_run_step(run_id=run.id)  # first batch goes out
    connected.refresh_from_db()
    connected.access_token_expires_at = timezone.now() - dt.timedelta(seconds=1)
    connected.refresh_token_encrypted = secret_encrypt("spent-or-revoked-refresh-token")
    connected.save()
    run = export_run_drive(run_id=run.id, max_wait=30)
    assert run.status == ExportRunStatus.BLOCKED
    assert "reconnect" in run.message.lower()
    assert run.exported_count == 50
    assert not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()
    assert Invoice.objects.filter(status=InvoiceStatus.READY).count() == 30
    connected.refresh_from_db()
    assert not connected.is_usable
