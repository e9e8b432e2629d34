"""Line account codes are chosen from the Xero organisation's own accounts once they have been read.

Before the lists are read (nothing connected) the field stays free text; afterwards it is a select
(blank = the Default sales account, shown with its name) and a code Xero does not have is refused.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.models import XeroOrgCache, XeroSettings
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import TaxCode, Tenant
from tests.jobs.helpers import BOOKINGS, job_form_data, make_booking, make_customer

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    {"code": "200", "name": "Sales", "type": "REVENUE", "class": "REVENUE", "tax_type": "OUTPUT"},
    {"code": "260", "name": "Other Revenue", "type": "REVENUE", "class": "REVENUE", "tax_type": "OUTPUT"},
    {"code": "400", "name": "Advertising", "type": "OVERHEADS", "class": "EXPENSE", "tax_type": "INPUT"},
]


@pytest.fixture
def lists_read(tenant: Tenant) -> None:
    XeroOrgCache.objects.create(tenant=tenant, kind="accounts", data=ACCOUNTS)
    XeroSettings.objects.create(tenant=tenant, default_account_code="200")


def _charge(account_code: str, tax: TaxCode) -> dict[str, object]:
    return {"description": "Linehaul", "quantity": "1", "unit_price": "100", "account_code": account_code,
            "tax_code": tax.pk}  # fmt: skip


def test_charge_account_is_a_select_of_revenue_accounts_with_the_default_explained(
    ops_client: Client, tenant: Tenant, lists_read: None
) -> None:
    html = ops_client.get(reverse("bookings:create")).content.decode()

    assert '<select name="charges-0-account_code"' in html
    assert '<option value="" selected>Default sales account (200 — Sales)</option>' in html
    assert '<option value="260">260 — Other Revenue</option>' in html
    assert "400 — Advertising" not in html  # an expense account is not a sales line's account


def test_charge_account_xero_does_not_have_is_a_form_error(
    ops_client: Client, tenant: Tenant, lists_read: None
) -> None:
    gst = TaxCode.objects.get(tenant=tenant, code="GST")
    data = job_form_data(BOOKINGS, customer=make_customer(tenant=tenant), charges=[_charge("210", gst)])

    response = ops_client.post(reverse("bookings:create"), data)

    assert response.status_code == 200
    assert "Select a valid choice. 210 is not one of the available choices." in response.content.decode()


def test_charge_account_from_the_list_is_saved(ops_client: Client, tenant: Tenant, lists_read: None) -> None:
    gst = TaxCode.objects.get(tenant=tenant, code="GST")
    data = job_form_data(BOOKINGS, customer=make_customer(tenant=tenant), charges=[_charge("260", gst)])

    assert ops_client.post(reverse("bookings:create"), data).status_code == 302
    assert BOOKINGS.model.objects.get().charges.get().account_code == "260"


def test_charge_account_is_free_text_before_the_lists_are_read(ops_client: Client, tenant: Tenant) -> None:
    html = ops_client.get(reverse("bookings:create")).content.decode()

    assert 'name="charges-0-account_code"' in html and '<select name="charges-0-account_code"' not in html


def test_invoice_line_account_is_a_select_keeping_an_old_code_marked(
    accounts_client: Client, tenant: Tenant, lists_read: None
) -> None:
    booking = make_booking(tenant=tenant, customer=make_customer(tenant=tenant))
    booking.charges.create(description="Linehaul", quantity=1, unit_price=100, account_code="210")
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=[booking])

    html = accounts_client.get(reverse("invoicing:edit", args=[invoice.public_id])).content.decode()

    assert '<select name="lines-0-account_code"' in html
    assert '<option value="210" selected>210 (not in Xero&#x27;s list)</option>' in html
    assert '<option value="200">200 — Sales</option>' in html
