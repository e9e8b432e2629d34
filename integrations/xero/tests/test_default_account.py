"""Charges without an account code go to the Default sales account chosen in Xero settings — at export.

Before, raising an invoice baked the company's hidden default ("200") into every blank line, so
changing the Default sales account in Xero settings changed nothing for those lines.
"""

from __future__ import annotations

from typing import Any

import pytest

from integrations.xero.export.payload import invoice_payload_build, payload_serialize
from integrations.xero.services import xero_settings_get, xero_settings_update
from invoicing.models import Invoice
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Tenant, User
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _raised_invoice(tenant: Tenant) -> Invoice:
    customer = CustomerFactory(tenant=tenant)
    booking: Any = BookingFactory(tenant=tenant, customer=customer)
    BookingChargeFactory(job=booking, description="Linehaul", account_code="", position=0)
    BookingChargeFactory(job=booking, description="Storage", account_code="260", position=1)
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=[booking], mark_ready=True)
    return Invoice.objects.select_related("customer").prefetch_related("invoice_jobs", "lines").get(pk=invoice.pk)


def _line_accounts(invoice: Invoice, tenant: Tenant) -> list[str | None]:
    payload = invoice_payload_build(
        invoice=invoice,
        xero_settings=xero_settings_get(tenant=tenant),
        contact_id="c0ffee00-0000-0000-0000-00000000000a",
    )
    return [line.get("AccountCode") for line in payload_serialize([payload])[0]["LineItems"]]


def test_blank_charge_account_follows_the_default_sales_account_chosen_later(tenant: Tenant, admin_user: User) -> None:
    invoice = _raised_invoice(tenant)
    xero_settings_update(tenant=tenant, user=admin_user, data={"default_account_code": "270"})

    assert _line_accounts(invoice, tenant) == ["270", "260"]

    xero_settings_update(tenant=tenant, user=admin_user, data={"default_account_code": "200"})
    assert _line_accounts(invoice, tenant) == ["200", "260"]


def test_a_raised_line_without_account_keeps_it_blank(tenant: Tenant) -> None:
    invoice = _raised_invoice(tenant)

    assert [line.account_code for line in invoice.lines.all()] == ["", "260"]


def test_settings_page_says_how_the_default_sales_account_applies(admin_client_) -> None:
    from django.urls import reverse

    html = admin_client_.get(reverse("xero:settings")).content.decode()

    assert "Every charge line without an account of its own is sent to Xero with this account" in html
