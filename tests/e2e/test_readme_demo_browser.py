"""The README's demo, word for word, on a fresh database: 0 failed invoices.

README ("To see an export end to end"): sign in as the admin, go to Settings → Integration →
Authentication → Xero, Connect (the sandbox shows its consent page; choose the demo organisation),
turn on Send Customer Reference, then sign in as accounts staff, open Invoicing → Ready to Export,
select invoices and Export. Then "Export all" for the rest.

And the pre-flight check: an invoice Xero would refuse is flagged on Ready to Export before sending,
is not sent, and is exported once fixed through the link on its flag.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from integrations.xero.models import ExportRun, XeroSettings
from integrations.xero.services import xero_org_cache_refresh
from integrations.xero.tests.export_support import xero_connection_make
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Role, Tenant
from tests.e2e.conftest import Worker, login
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory, TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]

DEMO_PASSWORD = "demo12345"  # the README's demo logins


def _wait_for_run_finished(page: Any) -> str:
    page.wait_for_url("**/invoicing/export/runs/**")
    page.wait_for_selector("#run-progress[data-status=finished]", timeout=90_000)
    return str(page.locator("#run-progress").inner_text())


def test_the_readme_demo_exports_every_seeded_invoice_with_no_failure(
    page: Any, xero_sandbox: Any, celery_worker: Worker, xero_endpoints: dict[str, str]
) -> None:
    call_command("seed_demo", stdout=StringIO())  # what `make run` does on a fresh database
    demo = Tenant.objects.get(slug="demo")
    ready = list(Invoice.objects.filter(tenant=demo, status=InvoiceStatus.READY).order_by("number"))
    assert len(ready) > 20

    # Sign in as the admin, go to Settings → Integration → Authentication → Xero, Connect.
    login(page, "admin@demo.example", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Xero", exact=True).click()
    page.get_by_role("button", name="Connect to Xero").click()
    # The sandbox shows its consent page; choose the demo organisation.
    page.wait_for_url(f"{xero_endpoints['XERO_AUTHORIZE_URL']}*")
    page.get_by_role("button", name="Allow access").click()
    page.wait_for_url(re.compile(r".*/settings/integration/authentication/xero/$"))
    assert "Demo Company (AU)" in page.locator("#xero-connection").inner_text()
    # Its lists were read on connect: the saved mapping is valid, nothing to refresh by hand.
    assert "not in Xero" not in page.content()
    # Turn on Send Customer Reference.
    page.get_by_label("Send Customer Reference").check()
    page.get_by_role("button", name="Save Xero settings").click()
    page.wait_for_load_state("networkidle")
    assert XeroSettings.objects.get(tenant=demo).send_customer_reference is True
    page.shots("demo-xero-settings")

    # Then sign in as accounts staff, open Invoicing → Ready to Export.
    page.context.clear_cookies()
    login(page, "accounts@demo.example", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_text("Invoicing", exact=True).click()
    page.get_by_role("navigation").get_by_role("link", name="Ready to Export").first.click()
    assert page.locator("tr.preflight-flag").count() == 0  # nothing Xero would refuse
    # Select invoices (the INV-000004 and INV-000005) and Export.
    first_two = ready[:2]
    for invoice in first_two:
        page.get_by_label(f"Select {invoice.number}").check()
    page.shots("demo-ready-to-export", full_page=False)
    page.get_by_role("button", name="Export 2 selected").click()
    progress = _wait_for_run_finished(page)
    assert "2 exported, 0 failed" in progress, progress
    page.shots("demo-export-outcomes")

    # Then "Export all" for the rest.
    page.get_by_role("navigation").get_by_text("Invoicing", exact=True).click()
    page.get_by_role("navigation").get_by_role("link", name="Ready to Export").first.click()
    page.get_by_role("button", name=re.compile(r"^Export all")).click()
    progress = _wait_for_run_finished(page)
    rest = len(ready) - 2
    assert f"{rest} exported, 0 failed" in progress, progress

    assert not ExportRun.objects.filter(tenant=demo, failed_count__gt=0).exists()
    assert not Invoice.objects.filter(tenant=demo, status__in=[InvoiceStatus.READY, InvoiceStatus.EXPORT_FAILED])
    held = {inv["InvoiceNumber"] for inv in xero_sandbox.control.invoices(xero_sandbox.au_org_id)}
    assert held == {invoice.number for invoice in ready}


def test_preflight_flags_a_bad_invoice_before_sending_and_it_exports_once_fixed(
    page: Any, xero_sandbox: Any, celery_worker: Worker
) -> None:
    tenant: Any = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role=Role.ACCOUNTS, email="accounts@acme.example")
    XeroSettings.objects.create(tenant=tenant, default_account_code="200", tax_type_map={"GST": "OUTPUT"})
    xero_connection_make(tenant=tenant, sandbox=xero_sandbox)
    xero_org_cache_refresh(tenant=tenant)
    customer: Any = CustomerFactory(tenant=tenant, name="Outback Traders")
    jobs = []
    for account in ("", "210"):  # 210: an account the organisation does not have
        job: Any = BookingFactory(tenant=tenant, customer=customer)
        BookingChargeFactory(job=job, description="Linehaul", account_code=account)
        jobs.append(job)
    good, bad = invoice_raise_for_jobs(tenant=tenant, jobs=jobs, mark_ready=True)
    login(page, "accounts@acme.example")

    flag = page.locator(f"tr.preflight-flag[data-invoice='{bad.number}']")
    assert "210 is not in the Xero organisation's chart of accounts" in flag.inner_text()
    assert page.locator("tr.preflight-flag").count() == 1
    page.shots("preflight-flag", readme="preflight-flag", full_page=False)

    for invoice in (good, bad):
        page.get_by_label(f"Select {invoice.number}").check()
    page.get_by_role("button", name="Export 2 selected").click()
    progress = _wait_for_run_finished(page)
    assert "1 exported, 0 failed" in progress, progress
    assert "Held back by the pre-flight check" in page.content()
    held = {inv["InvoiceNumber"] for inv in xero_sandbox.control.invoices(xero_sandbox.au_org_id)}
    assert held == {good.number}
    bad.refresh_from_db()
    assert bad.status == InvoiceStatus.READY

    # The link on the flag leads to the fix: choose an account from the organisation's list.
    page.goto("/invoicing/")
    page.locator(f"tr.preflight-flag[data-invoice='{bad.number}']").get_by_role("link", name="Edit the invoice").click()
    page.wait_for_url(f"**/invoicing/{bad.public_id}/edit/")
    page.select_option("select[name='lines-0-account_code']", "260")
    page.get_by_role("button", name="Save invoice").click()
    page.wait_for_url(f"**/invoicing/{bad.public_id}/")
    page.goto("/invoicing/")
    assert page.locator("tr.preflight-flag").count() == 0
    page.get_by_label(f"Select {bad.number}").check()
    page.get_by_role("button", name="Export 1 selected").click()
    assert "1 exported, 0 failed" in _wait_for_run_finished(page)
    sent = {inv["InvoiceNumber"]: inv for inv in xero_sandbox.control.invoices(xero_sandbox.au_org_id)}
    assert sent[bad.number]["LineItems"][0]["AccountCode"] == "260"
