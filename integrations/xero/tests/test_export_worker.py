"""Acceptance of the export engine end to end: a real Celery worker process, Redis, PostgreSQL and
the Xero sandbox over HTTP. We assert on what the sandbox received and holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from customers.models import Customer
from integrations.xero.export.limiter import limiter_reset
from integrations.xero.export.services import export_recover_stuck, export_run_start
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
from integrations.xero.tests.export_worker import EXPORT_REDIS_URL, ExportWorker, wait_until
from invoicing.models import Invoice, InvoiceStatus
from tenancy.models import Tenant

# export_worker flushes Redis db 5, which the limiter tests use too: one xdist process for all of them.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("redis-db5")]
PUT_INVOICES = "/api.xro/2.0/Invoices"


@pytest.fixture
def worker(xero_sandbox: Any, xero_sandbox_settings: Any) -> Iterator[ExportWorker]:
    xero_sandbox_settings.REDIS_URL = EXPORT_REDIS_URL
    xero_sandbox_settings.XERO_HTTP_TIMEOUT = 2
    w = ExportWorker(xero_sandbox.urls())
    w.broker_use()
    yield w
    w.stop()
    w.log_remove()
    w.broker_restore()
    connection.close()


def _setup(tenant: Any, sandbox: Any, org: str | None = None, **xs: Any) -> Any:
    XeroSettings.objects.update_or_create(
        tenant=tenant, defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}, **xs}
    )
    conn = xero_connection_make(tenant=tenant, sandbox=sandbox, org_id=org)
    limiter_reset(org=conn.xero_tenant_id)
    return conn


def _run_done(run: ExportRun) -> ExportRun | None:
    run.refresh_from_db()
    return run if run.status in (ExportRunStatus.FINISHED, ExportRunStatus.BLOCKED) else None


def _export_and_wait(tenant: Any, worker: ExportWorker, timeout: float = 90, **kw: Any) -> ExportRun:
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL, **kw)
    return wait_until(lambda: _run_done(run), timeout=timeout, what=f"run {run.id}", worker=worker)


def _sent_bodies(sandbox: Any) -> dict[str, dict[str, Any]]:
    """InvoiceNumber → the last invoice body the sandbox received for it."""
    sent: dict[str, dict[str, Any]] = {}
    for r in sandbox.control.requests(method="PUT", path=PUT_INVOICES):
        for body in (r.get("body") or {}).get("Invoices", []):
            sent[body["InvoiceNumber"]] = body
    return sent


def _set(tenant: Any, **values: Any) -> None:
    XeroSettings.objects.filter(tenant=tenant).update(**values)


def test_customer_reference_rules_reach_xero_as_configured(tenant, xero_sandbox, worker):
    _setup(tenant, xero_sandbox, send_customer_reference=False)
    worker.start()
    plain, always, never = customers_bulk_make(tenant=tenant, count=3)
    Customer.objects.filter(pk=always.pk).update(send_reference="always")
    Customer.objects.filter(pk=never.pk).update(send_reference="never")
    long_refs = [(f"CUSTOMER-PO-{i:04d}", ["Linehaul"]) for i in range(40)]

    # Toggle off: nobody sends a Reference — except the customer whose override says always.
    invoices_bulk_make(tenant=tenant, customers=[plain], count=2, number_prefix="OFF-")
    invoices_bulk_make(tenant=tenant, customers=[always], count=1, number_prefix="ALW-")
    run = _export_and_wait(tenant, worker)
    assert run.exported_count == 3, run.message
    sent = _sent_bodies(xero_sandbox)
    assert "Reference" not in sent["OFF-000001"], sent["OFF-000001"]
    assert "Reference" not in sent["OFF-000002"], sent["OFF-000002"]
    assert sent["ALW-000001"]["Reference"] == "PO-0"

    # Toggle on, rule "all": single job → its reference; several → joined; long → cut at 255; never → none.
    _set(tenant, send_customer_reference=True, reference_rule="all")
    invoices_bulk_make(tenant=tenant, customers=[plain], count=1, number_prefix="ONE-", jobs=[("PO-77", ["Linehaul"])])
    invoices_bulk_make(
        tenant=tenant, customers=[plain], count=1, number_prefix="ALL-",
        jobs=[("PO-1", ["Linehaul"]), ("", ["Storage"]), ("PO-2", ["Cartage"]), ("PO-1", ["Fuel"])],
    )  # fmt: skip
    invoices_bulk_make(tenant=tenant, customers=[plain], count=1, number_prefix="CUT-", jobs=long_refs)
    invoices_bulk_make(tenant=tenant, customers=[never], count=1, number_prefix="NEV-", jobs=[("PO-9", ["x"])])
    run = _export_and_wait(tenant, worker)
    assert run.exported_count == 4, run.message
    sent = _sent_bodies(xero_sandbox)
    assert sent["ONE-000001"]["Reference"] == "PO-77"
    assert sent["ALL-000001"]["Reference"] == "PO-1, PO-2"
    assert [li["Description"] for li in sent["ALL-000001"]["LineItems"]] == ["Linehaul", "Storage", "Cartage", "Fuel"]
    cut = sent["CUT-000001"]["Reference"]
    assert len(cut) <= 255 and cut.endswith(" more") and cut.startswith("CUSTOMER-PO-0000, CUSTOMER-PO-0001")
    assert "Reference" not in sent["NEV-000001"]
    held = {i["InvoiceNumber"]: i for i in xero_sandbox.control.invoices(xero_sandbox.au_org_id)}
    assert held["CUT-000001"]["Reference"] == cut

    # "per line": prefixes, Reference only when common.
    _set(tenant, reference_rule="per_line")
    invoices_bulk_make(
        tenant=tenant, customers=[plain], count=1, number_prefix="PL-",
        jobs=[("PO-1", ["Linehaul Sydney → Melbourne"]), ("PO-2", ["Storage"])],
    )  # fmt: skip
    invoices_bulk_make(
        tenant=tenant, customers=[plain], count=1, number_prefix="PLC-", jobs=[("PO-5", ["a"]), ("PO-5", ["b"])]
    )
    # "both": joined Reference and prefixes.
    run = _export_and_wait(tenant, worker)
    assert run.exported_count == 2, run.message
    _set(tenant, reference_rule="both")
    invoices_bulk_make(
        tenant=tenant, customers=[plain], count=1, number_prefix="BO-", jobs=[("PO-1", ["a"]), ("PO-2", ["b"])]
    )
    run = _export_and_wait(tenant, worker)
    assert run.exported_count == 1, run.message
    sent = _sent_bodies(xero_sandbox)
    assert "Reference" not in sent["PL-000001"]
    assert [li["Description"] for li in sent["PL-000001"]["LineItems"]] == [
        "PO-1 · Linehaul Sydney → Melbourne",
        "PO-2 · Storage",
    ]
    assert sent["PLC-000001"]["Reference"] == "PO-5"
    assert sent["BO-000001"]["Reference"] == "PO-1, PO-2"
    assert [li["Description"] for li in sent["BO-000001"]["LineItems"]] == ["PO-1 · a", "PO-2 · b"]


def test_new_customer_exports_first_time_and_same_name_contact_is_matched(tenant, xero_sandbox, worker):
    _setup(tenant, xero_sandbox)
    worker.start()
    new, existing = customers_bulk_make(tenant=tenant, count=2)
    (made,) = xero_sandbox.control.add_contacts(xero_sandbox.au_org_id, [{"Name": existing.name}])
    invoices_bulk_make(tenant=tenant, customers=[new, existing], count=2)
    run = _export_and_wait(tenant, worker)
    assert (run.exported_count, run.failed_count) == (2, 0), run.message
    assert run.attempts.count() == 2  # first try, no retry
    existing.refresh_from_db()
    assert existing.xero_contact_id == made["ContactID"]
    contacts = xero_sandbox.control.contacts(xero_sandbox.au_org_id)
    assert [c["Name"] for c in contacts].count(existing.name) == 1
    assert [c.get("ContactNumber") for c in contacts].count(new.code) == 1


def test_faults_over_520_invoices_end_exported_exactly_once(tenant, xero_sandbox, worker):
    """commit-then-time-out, reset, 500, 503, a 429 storm, the token expiring mid-run, and a worker
    SIGKILLed mid-batch, then a rerun: every invoice exported exactly once or failed with a reason."""
    _setup(tenant, xero_sandbox)
    xero_sandbox.control.config(latency_seconds=0.05)
    conn = tenant.xero_connection
    # The access token runs out a few seconds into the run: the worker must refresh mid-run.
    conn.access_token_expires_at = conn.access_token_expires_at.replace() - dt.timedelta(seconds=1800 - 6)
    conn.save(update_fields=["access_token_expires_at"])
    customers = customers_bulk_make(tenant=tenant, count=40)
    invoices_bulk_make(tenant=tenant, customers=customers, count=520)
    bad = Invoice.objects.order_by("id")[7]
    bad.lines.update(account_code="999999")  # one genuine validation failure
    ctl = xero_sandbox.control
    for kind, times in (("commit_then_timeout", 2), ("reset", 2), ("500", 2), ("503", 2), ("429", 6)):
        ctl.add_fault(kind, method="PUT", path=PUT_INVOICES, times=times, retry_after=1, hold_seconds=3)
    worker.start(concurrency=2, extra_env={"XERO_TOKEN_REFRESH_MARGIN": "2"})
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL)
    wait_until(
        lambda: len(ctl.invoices(xero_sandbox.au_org_id)) >= 250, timeout=120, what="half exported", worker=worker
    )
    # Kill the worker while a batch is in flight and Xero has already committed it.
    rule = ctl.add_fault("commit_then_timeout", method="PUT", path=PUT_INVOICES, times=1, hold_seconds=6)

    def fired() -> bool:
        return any(f["id"] == rule["id"] and f["fired"] for f in ctl.faults())

    wait_until(fired, timeout=30, what="a batch in flight", worker=worker)
    worker.kill()
    assert Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()

    # Rerun: a fresh worker, the stuck invoices settled by look-up (what the periodic task does
    # after its timeout), and a new export of everything still ready.
    ctl.clear_faults()
    worker.start(concurrency=2)
    export_recover_stuck(older_than=dt.timedelta(0))
    rerun = _export_and_wait(tenant, worker, timeout=180)
    wait_until(lambda: _run_done(run), timeout=60, what="first run woken and finished", worker=worker)

    held = sandbox_invoices_by_number(xero_sandbox, xero_sandbox.au_org_id)
    duplicates = {n: len(v) for n, v in held.items() if len(v) > 1}
    assert duplicates == {}
    assert not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()
    for inv in Invoice.objects.all():
        if inv.status == InvoiceStatus.EXPORTED:
            assert inv.number in held and inv.xero_invoice_id == held[inv.number][0]["InvoiceID"]
        else:
            assert inv.status == InvoiceStatus.EXPORT_FAILED and inv.export_error, (inv.number, inv.status)
            assert inv.number not in held
    assert Invoice.objects.get(pk=bad.pk).status == InvoiceStatus.EXPORT_FAILED
    assert Invoice.objects.filter(status=InvoiceStatus.EXPORTED).count() == 519
    assert rerun.status == ExportRunStatus.FINISHED
    stats = ctl.stats()
    assert stats["events"].get("fault_commit_then_timeout", 0) >= 3
    assert stats["events"].get("fault_429", 0) == 6
    assert stats["token_calls_total"] >= 1, "the access token should have been refreshed mid-run"
    conn.refresh_from_db()
    assert conn.last_refreshed_at is not None
    # Unknown outcomes were settled by look-up and adopted, not resent.
    assert ExportAttempt.objects.filter(outcome=AttemptOutcome.ADOPTED).count() >= 100


def test_small_tenant_is_not_starved_by_a_big_export(tenant, xero_sandbox, worker):
    big_tenant = tenant
    small_tenant = Tenant.objects.create(name="Small Carrier", slug="small", timezone="Pacific/Auckland")
    _setup(big_tenant, xero_sandbox)
    _setup(small_tenant, xero_sandbox, org=xero_sandbox.nz_org_id, tax_type_map={})
    xero_sandbox.control.config(rate_limits_enabled=False)
    invoices_bulk_make(tenant=big_tenant, customers=customers_bulk_make(tenant=big_tenant, count=20), count=1000)
    invoices_bulk_make(
        tenant=small_tenant, customers=customers_bulk_make(tenant=small_tenant, count=2), count=10,
        number_prefix="S-", currency="NZD",
    )  # fmt: skip
    worker.start(concurrency=1)
    big = export_run_start(tenant=big_tenant, trigger=ExportTrigger.MANUAL)
    wait_until(lambda: Invoice.objects.filter(tenant=big_tenant, status="exported").count() >= 100, timeout=60,
               what="big export under way", worker=worker)  # fmt: skip
    small = export_run_start(tenant=small_tenant, trigger=ExportTrigger.MANUAL)
    wait_until(lambda: _run_done(small), timeout=60, what="small run", worker=worker)
    big.refresh_from_db()
    assert small.exported_count == 10
    assert big.status == ExportRunStatus.RUNNING, "the small export should finish while the big one is still going"
    wait_until(lambda: _run_done(big), timeout=180, what="big run", worker=worker)
    assert big.exported_count == 1000
