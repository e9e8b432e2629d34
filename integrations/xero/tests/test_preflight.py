"""Pre-flight check: an invoice Xero would refuse is flagged on Ready to Export and never sent.

Against the sandbox organisation (Demo Company (AU): accounts 200/260/270…, AUD + NZD + USD) with
its lists read by the real SDK, so the check compares with what Xero itself would answer.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.export.services import export_run_drive, export_run_start
from integrations.xero.models import ExportAttempt, ExportRun, ExportTrigger, XeroSettings
from integrations.xero.services import xero_org_cache_refresh
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make, xero_connection_make
from invoicing.models import Invoice, InvoiceStatus
from tenancy.models import Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]


@pytest.fixture
def connected(tenant: Tenant, xero_sandbox, xero_sandbox_settings):
    xero_sandbox_settings.REDIS_URL = ""
    XeroSettings.objects.update_or_create(
        tenant=tenant, defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}}
    )
    conn = xero_connection_make(tenant=tenant, sandbox=xero_sandbox)
    xero_org_cache_refresh(tenant=tenant)
    return conn


@pytest.fixture
def good_and_bad(tenant: Tenant, connected) -> tuple[Invoice, Invoice]:
    customers = customers_bulk_make(tenant=tenant, count=1)
    good, bad = invoices_bulk_make(tenant=tenant, customers=customers, count=2)
    return good, bad


def _export_selected(client: Client, invoices: list[Invoice], django_capture_on_commit_callbacks) -> ExportRun | None:
    with django_capture_on_commit_callbacks():
        client.post(reverse("xero_export:start"), {"invoice": [str(i.public_id) for i in invoices]})
    run = ExportRun.objects.order_by("-id").first()
    if run is not None and run.total_count:
        run = export_run_drive(run_id=run.id, max_wait=60)
    return run


def _ready_page(client: Client) -> str:
    return client.get(reverse("invoicing:ready")).content.decode()


def _sent_numbers(xero_sandbox) -> set[str]:
    return {inv["InvoiceNumber"] for inv in xero_sandbox.control.invoices(xero_sandbox.au_org_id)}


def test_unknown_line_account_is_flagged_with_a_link_and_not_sent(
    accounts_client: Client, good_and_bad, xero_sandbox, django_capture_on_commit_callbacks
) -> None:
    good, bad = good_and_bad
    bad.lines.update(account_code="210")

    page = _ready_page(accounts_client)
    assert "account 210 is not in the Xero organisation" in page
    assert reverse("invoicing:edit", args=[bad.public_id]) in page

    run = _export_selected(accounts_client, [good, bad], django_capture_on_commit_callbacks)

    assert run is not None and (run.total_count, run.exported_count, run.failed_count) == (1, 1, 0)
    assert _sent_numbers(xero_sandbox) == {good.number}
    bad.refresh_from_db()
    assert bad.status == InvoiceStatus.READY and not ExportAttempt.objects.filter(invoice=bad).exists()
    assert "210" in run.message and bad.number in run.message


def test_currency_the_organisation_has_not_enabled_is_flagged(
    accounts_client: Client, good_and_bad, xero_sandbox, django_capture_on_commit_callbacks
) -> None:
    good, bad = good_and_bad
    Invoice.objects.filter(pk=bad.pk).update(currency="GBP")  # real ISO 4217, not enabled in the AU demo org

    assert "The currency GBP is not enabled in the Xero organisation" in _ready_page(accounts_client)
    _export_selected(accounts_client, [good, bad], django_capture_on_commit_callbacks)
    assert _sent_numbers(xero_sandbox) == {good.number}


def test_non_base_currency_is_sent_as_currency_code(
    accounts_client: Client, good_and_bad, xero_sandbox, django_capture_on_commit_callbacks
) -> None:
    _good, usd = good_and_bad
    Invoice.objects.filter(pk=usd.pk).update(currency="USD")  # enabled in the AU demo org

    run = _export_selected(accounts_client, [usd], django_capture_on_commit_callbacks)

    assert run is not None and run.exported_count == 1
    (sent,) = xero_sandbox.control.invoices(xero_sandbox.au_org_id)
    assert sent["CurrencyCode"] == "USD"


def test_unknown_currency_is_never_sent_as_the_base_currency(
    tenant: Tenant, good_and_bad, xero_sandbox, accounts_client: Client
) -> None:
    good, bad = good_and_bad
    Invoice.objects.filter(pk=bad.pk).update(currency="ZZZ")

    assert "Xero does not know the currency “ZZZ”" in _ready_page(accounts_client)
    run = export_run_drive(
        run_id=export_run_start(tenant=tenant, trigger=ExportTrigger.NIGHTLY, enqueue=False).id, max_wait=60
    )

    assert run.exported_count == 1
    assert [inv["CurrencyCode"] for inv in xero_sandbox.control.invoices(xero_sandbox.au_org_id)] == ["AUD"]
    assert _sent_numbers(xero_sandbox) == {good.number}


def test_unmapped_tax_code_whose_rate_differs_from_the_accounts_is_flagged(
    admin_client_: Client, tenant: Tenant, good_and_bad
) -> None:
    _good, bad = good_and_bad
    bad.lines.update(tax_code="FRE", tax_rate=0)  # FRE is not mapped; account 200 defaults to 10% GST

    page = _ready_page(admin_client_)

    assert "our tax code FRE (0%) has no Xero tax type" in page
    assert "GST on Income (10%) and the totals would differ" in page
    assert reverse("xero:settings") in page
    assert page.count('class="preflight-flag"') == 1


def test_tax_type_the_organisation_does_not_have_is_flagged(
    accounts_client: Client, tenant: Tenant, good_and_bad
) -> None:
    XeroSettings.objects.filter(tenant=tenant).update(tax_type_map={"GST": "OUTPUT2"})  # an NZ tax type

    page = _ready_page(accounts_client)

    assert page.count("mapped to the Xero tax type OUTPUT2") == 2
    assert "an admin fixes this in Xero settings" in page  # accounts staff cannot open Xero settings


def test_export_all_holds_back_the_flagged_and_says_so(
    accounts_client: Client, good_and_bad, xero_sandbox, django_capture_on_commit_callbacks
) -> None:
    good, bad = good_and_bad
    bad.lines.update(account_code="999")

    with django_capture_on_commit_callbacks() as callbacks:
        response = accounts_client.post(reverse("xero_export:start"), {"all": "1"}, follow=True)

    assert "Held back by the pre-flight check (1" in response.content.decode()
    run = ExportRun.objects.get()
    assert list(run.invoices.values_list("number", flat=True)) == [good.number]
    assert len(callbacks) == 1  # the rest is still queued for the worker


def test_nothing_is_flagged_before_the_lists_are_read(accounts_client: Client, tenant: Tenant, xero_sandbox) -> None:
    xero_connection_make(tenant=tenant, sandbox=xero_sandbox)
    customers = customers_bulk_make(tenant=tenant, count=1)
    (invoice,) = invoices_bulk_make(tenant=tenant, customers=customers, count=1)
    invoice.lines.update(account_code="210")

    assert 'class="preflight-flag"' not in _ready_page(accounts_client)
