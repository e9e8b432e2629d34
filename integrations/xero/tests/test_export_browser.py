"""The Export button in a real browser: live progress without a reload, then each outcome."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.xero.models import XeroSettings
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make, xero_connection_make
from integrations.xero.tests.export_worker import EXPORT_REDIS_URL, ExportWorker
from invoicing.models import Invoice, InvoiceStatus
from tests.e2e.conftest import browser, login, page  # noqa: F401 — pytest fixtures
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def export_worker(xero_sandbox: Any, xero_sandbox_settings: Any, live_server: Any) -> Iterator[ExportWorker]:
    xero_sandbox_settings.REDIS_URL = EXPORT_REDIS_URL
    xero_sandbox_settings.SITE_URL = live_server.url
    w = ExportWorker(xero_sandbox.urls())
    w.broker_use()
    yield w
    w.stop()
    w.log_remove()
    w.broker_restore()


def test_export_all_shows_live_progress_then_outcomes(page: Any, tenant: Any, xero_sandbox: Any, export_worker: Any):  # noqa: F811
    UserFactory(tenant=tenant, role="accounts", email="accounts@acme.example")
    XeroSettings.objects.update_or_create(tenant=tenant, defaults={"default_account_code": "200"})
    xero_connection_make(tenant=tenant, sandbox=xero_sandbox)
    customers = customers_bulk_make(tenant=tenant, count=3)
    invoices = invoices_bulk_make(tenant=tenant, customers=customers, count=120)
    invoices[5].lines.update(account_code="999999")
    xero_sandbox.control.config(latency_seconds=1.0)  # slow Xero down so progress is visible
    export_worker.start()

    login(page, "accounts@acme.example")
    page.goto("/invoicing/")
    page.get_by_role("button", name="Export all 120").click()
    page.wait_for_url("**/invoicing/export/runs/**")
    page.evaluate("window.__sameDocument = true")
    page.wait_for_selector("#run-progress[data-status=running]", timeout=20_000)
    page.shots("export-running", readme="export-running", full_page=False)
    page.wait_for_selector("#run-progress[data-status=finished]", timeout=60_000)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of updating in place"
    page.shots("export-finished", readme="export-finished", full_page=False)

    text = page.locator("#run-progress").inner_text()
    assert "119 exported, 1 failed" in text
    failed = Invoice.objects.get(status=InvoiceStatus.EXPORT_FAILED)
    row = page.locator(f"tr[data-invoice='{failed.number}']")
    assert "999999" in row.inner_text() or "Account code" in row.inner_text()
    exported = Invoice.objects.filter(status=InvoiceStatus.EXPORTED).order_by("number").first()
    assert exported is not None
    link = page.locator(f"tr[data-invoice='{exported.number}'] a", has_text="Open in Xero")
    assert exported.xero_invoice_id in (link.get_attribute("href") or "")
