"""The export pages tell the truth (issue 8, section 3): Export all counts what it does and retrying
failed invoices really sends them; the run page says each Xero message once with its lines; its badge
is not a green "Finished" when invoices failed; times are the tenant's, labelled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.export.services import export_run_drive
from integrations.xero.models import (
    AttemptOutcome,
    ExportAttempt,
    ExportRun,
    ExportRunStatus,
    ExportTrigger,
    XeroSettings,
)
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make, xero_connection_make
from invoicing.models import Invoice, InvoiceStatus
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db

EIGHT_TIMES = "; ".join(["Account code '210' is not a valid code for this document."] * 8)
LINES = [f"Charge {n}" for n in range(1, 9)]


@pytest.fixture
def connected(tenant, xero_sandbox, xero_sandbox_settings):
    xero_sandbox_settings.XERO_HTTP_TIMEOUT = 2
    xero_sandbox_settings.REDIS_URL = ""
    XeroSettings.objects.update_or_create(
        tenant=tenant, defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}}
    )
    return xero_connection_make(tenant=tenant, sandbox=xero_sandbox)


def _run(tenant: Tenant, invoices: list[Invoice], *, exported: int, failed: int) -> ExportRun:
    run = ExportRun.objects.create(
        tenant=tenant,
        trigger=ExportTrigger.MANUAL,
        status=ExportRunStatus.FINISHED,
        total_count=len(invoices),
        exported_count=exported,
        failed_count=failed,
        created_at=dt.datetime(2026, 1, 1, 0, 0, 5, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 1, 1, 0, 1, tzinfo=dt.UTC),
    )
    run.invoices.set(invoices)
    return run


def test_export_all_retries_failed_invoices_and_they_really_go_to_xero(
    accounts_client: Client, tenant: Tenant, connected, xero_sandbox, django_capture_on_commit_callbacks
) -> None:
    customers = customers_bulk_make(tenant=tenant, count=2)
    invoices = invoices_bulk_make(tenant=tenant, customers=customers, count=3)
    # One was refused earlier and has since been put right (its lines now valid).
    Invoice.objects.filter(pk=invoices[0].pk).update(status=InvoiceStatus.EXPORT_FAILED, export_error=EIGHT_TIMES)

    with django_capture_on_commit_callbacks():
        response = accounts_client.post(reverse("xero_export:start"), {"all": "1"})
    run = ExportRun.objects.get()
    assert response.status_code == 302 and run.total_count == 3
    run = export_run_drive(run_id=run.id, max_wait=60)

    assert (run.exported_count, run.failed_count) == (3, 0), run.message
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.EXPORTED}


def test_export_all_when_every_waiting_invoice_failed_retries_them_instead_of_nothing(
    accounts_client: Client, tenant: Tenant, connected, django_capture_on_commit_callbacks
) -> None:
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices = invoices_bulk_make(tenant=tenant, customers=customers, count=2)
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(status=InvoiceStatus.EXPORT_FAILED)

    with django_capture_on_commit_callbacks():
        response = accounts_client.post(reverse("xero_export:start"), {"all": "1"}, follow=True)

    assert "Nothing to export" not in response.content.decode()
    assert ExportRun.objects.get().total_count == 2


def test_run_page_shows_each_xero_message_once_with_its_lines(accounts_client: Client, tenant: Tenant) -> None:
    customers = customers_bulk_make(tenant=tenant, count=1)
    [invoice] = invoices_bulk_make(tenant=tenant, customers=customers, count=1, jobs=[("PO-1", LINES)])
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_error=EIGHT_TIMES)
    run = _run(tenant, [invoice], exported=0, failed=1)
    ExportAttempt.objects.create(
        run=run,
        invoice=invoice,
        idempotency_key="k",
        outcome=AttemptOutcome.FAILED,
        error=EIGHT_TIMES,
        request_payload={"LineItems": [{"Description": d, "AccountCode": "210"} for d in LINES]},
    )

    body = accounts_client.get(reverse("xero_export:run", args=[run.public_id])).content.decode()

    assert body.count("is not a valid code for this document") == 1
    assert "(lines 1-8)" in body


@pytest.mark.parametrize(
    ("exported", "failed", "label", "css"),
    [
        (0, 2, "Failed", "badge-failed"),
        (1, 1, "Finished with failures", "badge-finished_with_failures"),
        (2, 0, "Finished", "badge-finished"),
    ],
)
def test_run_badge_is_only_a_green_finished_when_nothing_failed(
    accounts_client: Client, tenant: Tenant, exported: int, failed: int, label: str, css: str
) -> None:
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices = invoices_bulk_make(tenant=tenant, customers=customers, count=2)
    run = _run(tenant, invoices, exported=exported, failed=failed)

    for url in (reverse("xero_export:run", args=[run.public_id]), reverse("xero_export:history")):
        body = accounts_client.get(url).content.decode()
        assert f'class="badge {css}"' in body, url
        assert f">{label}</span>" in body, url


def test_run_page_and_history_show_times_in_the_tenants_zone_with_its_name(
    accounts_client: Client, tenant: Tenant
) -> None:
    assert tenant.timezone == "Australia/Sydney"
    customers = customers_bulk_make(tenant=tenant, count=1)
    run = _run(tenant, invoices_bulk_make(tenant=tenant, customers=customers, count=1), exported=1, failed=0)

    run_page = accounts_client.get(reverse("xero_export:run", args=[run.public_id])).content.decode()
    history = accounts_client.get(reverse("xero_export:history")).content.decode()
    attempts = accounts_client.get(reverse("xero_export:attempts", args=[run.public_id])).content.decode()

    # 00:00:05 UTC on 1 January is 11:00:05 in Sydney (AEDT, UTC+11).
    assert "1 Jan 2026 11:00:05 AEDT" in run_page
    assert "1 Jan 2026 11:00 AEDT" in history and "1 Jan 2026 11:01 AEDT" in history
    assert "1 Jan 2026 11:00 AEDT" in attempts
    assert "00:00" not in run_page.split("<main", 1)[1]
