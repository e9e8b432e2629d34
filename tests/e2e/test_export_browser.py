"""Accounts staff export to Xero in a real browser, against a real Celery worker and the Xero sandbox:
the Export button with live progress, the nightly run in Export history, and a rejected invoice that
is corrected and exported on the second try."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django_celery_beat.models import PeriodicTask

from bookings.models import BookingStatus
from customers.models import InvoicingRule
from freighttracker.celery import app as celery_app
from integrations.xero.export.limiter import limiter_reset
from integrations.xero.export.schedule import nightly_schedule_sync, nightly_task_name
from integrations.xero.models import ExportRun, ExportRunStatus, ExportTrigger, ReferenceRule, XeroSettings
from integrations.xero.tests.export_support import xero_connection_make
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Role, Tenant
from tests.e2e.conftest import Worker, login, wait_until
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


def _tenant_connected(sandbox: Any, *, send_reference: bool, rule: str = ReferenceRule.ALL_REFERENCES) -> Tenant:
    tenant: Any = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role=Role.ACCOUNTS, email="accounts@acme.example", full_name="Aki Accounts")
    XeroSettings.objects.update_or_create(
        tenant=tenant,
        defaults={
            "send_customer_reference": send_reference,
            "reference_rule": rule,
            "default_account_code": "200",
            "tax_type_map": {"GST": "OUTPUT", "FRE": "EXEMPTOUTPUT"},
        },
    )
    xero_connection_make(tenant=tenant, sandbox=sandbox)
    limiter_reset(org=sandbox.au_org_id)  # earlier tests' calls do not count against this one
    sandbox.control.config(latency_seconds=1.0)  # a real Xero takes its time: progress is visible
    return tenant


def _ready_invoices(tenant: Tenant, *, account_code: str = "") -> tuple[Invoice, Invoice]:
    """One consolidated invoice (two jobs, two references) and one single-job invoice, both ready."""
    big: Any = CustomerFactory(tenant=tenant, name="Harbour Imports", invoicing_rule=InvoicingRule.CONSOLIDATED)
    small: Any = CustomerFactory(tenant=tenant, name="Outback Traders", invoicing_rule=InvoicingRule.PER_JOB)
    jobs = []
    for customer, ref in ((big, "PO-7001"), (big, "PO-7002"), (small, "SO-55")):
        job: Any = BookingFactory(
            tenant=tenant, customer=customer, customer_reference=ref, status=BookingStatus.COMPLETED
        )
        BookingChargeFactory(job=job, description=f"Linehaul for {ref}", account_code=account_code)
        jobs.append(job)
    invoices = invoice_raise_for_jobs(tenant=tenant, jobs=jobs, mark_ready=True)
    consolidated = next(i for i in invoices if i.customer_id == big.pk)
    single = next(i for i in invoices if i.customer_id == small.pk)
    assert consolidated.is_consolidated and not single.is_consolidated
    return consolidated, single


def _held(sandbox: Any) -> dict[str, dict[str, Any]]:
    return {inv["InvoiceNumber"]: inv for inv in sandbox.control.invoices(sandbox.au_org_id)}


def _export_selected_and_watch(page: Any, invoices: list[Invoice], readme: str | None = None) -> None:
    page.goto("/invoicing/")
    for inv in invoices:
        page.get_by_label(f"Select {inv.number}").check()
    page.wait_for_timeout(400)  # only for the picture: let the checkbox animation settle
    page.shots("ready-to-export-selected", readme=readme, full_page=False)
    page.get_by_role("button", name=f"Export {len(invoices)} selected").click()
    page.wait_for_url("**/invoicing/export/runs/**")
    # htmx swaps the progress in place: the same document must go from "in progress" to "finished"
    # without a reload (the sandbox answers slowly, so the first render is still in progress).
    page.evaluate("window.__sameDocument = true")
    first = page.locator("#run-progress").get_attribute("data-status")
    assert first != "finished", "the run was over before the page showed any progress"
    page.shots("export-in-progress")
    page.wait_for_selector("#run-progress[data-status=finished]", timeout=60_000)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of updating in place"


@pytest.mark.parametrize("send_reference", [True, False], ids=["toggle-on", "toggle-off"])
def test_accounts_exports_selected_invoices_and_xero_holds_them_with_the_right_references(
    page: Any, xero_sandbox: Any, celery_worker: Worker, send_reference: bool
) -> None:
    tenant = _tenant_connected(xero_sandbox, send_reference=send_reference)
    consolidated, single = _ready_invoices(tenant)
    login(page, "accounts@acme.example")
    assert page.url.rstrip("/").endswith("/invoicing")  # accounts land on Ready to Export

    _export_selected_and_watch(page, [consolidated, single], readme="ready-to-export" if send_reference else None)

    page.shots("export-outcomes", readme="export-outcomes" if send_reference else None)
    progress = page.locator("#run-progress").inner_text()
    assert "2 exported, 0 failed" in progress
    for inv in (consolidated, single):
        inv.refresh_from_db()
        assert inv.status == InvoiceStatus.EXPORTED
        link = page.locator(f"tr[data-invoice='{inv.number}'] a", has_text="Open in Xero")
        assert inv.xero_invoice_id and inv.xero_invoice_id in (link.get_attribute("href") or "")

    held = _held(xero_sandbox)
    assert set(held) == {consolidated.number, single.number}
    # "Open in Xero" leads to the invoice (the sandbox's page stands in for Xero's).
    href = page.locator(f"tr[data-invoice='{consolidated.number}'] a", has_text="Open in Xero").get_attribute("href")
    page.goto(href or "")
    assert consolidated.number in page.content()
    page.shots("invoice-in-xero-sandbox")
    if send_reference:
        assert held[consolidated.number].get("Reference") == "PO-7001, PO-7002"
        assert held[single.number].get("Reference") == "SO-55"
    else:
        assert not held[consolidated.number].get("Reference")
        assert not held[single.number].get("Reference")


def test_nightly_export_results_appear_in_export_history(page: Any, xero_sandbox: Any, celery_worker: Worker) -> None:
    tenant = _tenant_connected(xero_sandbox, send_reference=True)
    XeroSettings.objects.filter(tenant=tenant).update(nightly_export_enabled=True)
    nightly_schedule_sync(tenant=tenant)
    consolidated, single = _ready_invoices(tenant)

    # What beat does at the tenant's local time: send the registered task with its arguments.
    entry = PeriodicTask.objects.get(name=nightly_task_name(tenant.pk))
    assert entry.enabled and entry.crontab.timezone.key == tenant.timezone
    celery_app.send_task(entry.task, args=json.loads(entry.args))
    run = wait_until(
        lambda: (
            ExportRun.objects.filter(tenant=tenant, trigger=ExportTrigger.NIGHTLY, status=ExportRunStatus.FINISHED)
            .order_by("-id")
            .first()
        ),
        timeout=60,
        what="the nightly run to finish",
        worker=celery_worker,
    )

    # The next morning: accounts open Export history.
    login(page, "accounts@acme.example")
    page.get_by_role("link", name="Export history").click()
    row = page.locator("tbody tr").filter(has_text="Nightly schedule").first
    assert re.search(r"Finished", row.inner_text())
    page.shots("export-history-nightly")
    row.get_by_role("link").first.click()
    page.wait_for_selector("#run-progress[data-status=finished]")
    assert "2 exported, 0 failed" in page.locator("#run-progress").inner_text()
    assert run.exported_count == 2
    assert set(_held(xero_sandbox)) == {consolidated.number, single.number}


def test_rejected_invoice_shows_xeros_message_is_corrected_and_exports_on_the_second_try(
    page: Any, xero_sandbox: Any, celery_worker: Worker
) -> None:
    tenant = _tenant_connected(xero_sandbox, send_reference=True)
    _consolidated, single = _ready_invoices(tenant, account_code="999999")  # Xero knows no such account
    login(page, "accounts@acme.example")

    _export_selected_and_watch(page, [single])

    row = page.locator(f"tr[data-invoice='{single.number}']")
    assert "1 failed" in page.locator("#run-progress").inner_text()
    single.refresh_from_db()
    assert single.status == InvoiceStatus.EXPORT_FAILED
    message = row.locator(".error-text").inner_text()
    assert "999999" in message or "Account code" in message  # Xero's own validation message
    page.shots("export-failed-with-xero-message")
    assert not _held(xero_sandbox)

    # Correct it on the invoice edit page.
    row.get_by_role("link", name="Correct it").click()
    page.wait_for_url(f"**/invoicing/{single.public_id}/edit/")
    page.fill("input[name='lines-0-account_code']", "200")
    page.get_by_role("button", name="Save invoice").click()
    page.wait_for_url(f"**/invoicing/{single.public_id}/")

    # Second try from Ready to Export.
    _export_selected_and_watch(page, [single])
    assert "1 exported, 0 failed" in page.locator("#run-progress").inner_text()
    single.refresh_from_db()
    assert single.status == InvoiceStatus.EXPORTED
    held = _held(xero_sandbox)
    assert list(held) == [single.number]
    assert held[single.number]["LineItems"][0]["AccountCode"] == "200"
    assert held[single.number].get("Reference") == "SO-55"
