"""Small things a user notices (issue 8, section 4): money says its currency and groups thousands,
every charge-line input has a label, the warehouse Kind filter reads "Any kind"."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Tenant
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory, WarehouseJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_booking(tenant: Tenant):
    customer = CustomerFactory(tenant=tenant, currency="NZD")
    booking = BookingFactory(tenant=tenant, customer=customer)
    BookingChargeFactory(job=booking, description="Project cargo", quantity=Decimal("1"), unit_price=Decimal("12345.5"))
    return booking


def test_job_lists_and_pages_show_money_with_currency_and_thousands(
    accounts_client: Client, tenant: Tenant, big_booking
) -> None:
    listing = accounts_client.get(reverse("bookings:list")).content.decode()
    detail = accounts_client.get(reverse("bookings:detail", args=[big_booking.pk])).content.decode()

    assert "NZD 12,345.50" in listing
    assert "12,345.50" in detail and "Amount (NZD)" in detail and "NZD 12,345.50" in detail


def test_invoice_pages_show_money_with_currency_and_thousands(
    accounts_client: Client, tenant: Tenant, big_booking
) -> None:
    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[big_booking], mark_ready=True)

    ready = accounts_client.get(reverse("invoicing:ready")).content.decode()
    detail = accounts_client.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()

    assert "NZD 13,580.05" in ready  # 12,345.50 + 10 % GST
    assert "Unit price (NZD)" in detail and "12,345.50" in detail and "NZD 13,580.05" in detail


def _unlabelled_inputs(html: str, section: str) -> list[str]:
    """Visible inputs/selects inside ``section`` (a CSS class of a table) with no <label for=…>."""
    start = html.index(section)
    part = html[start : html.index("</table>", start)]
    template = html[html.index("<template", start) : html.index("</template>", start)] if "<template" in html else ""
    missing = []
    for chunk in (part, template):
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", chunk):
            if 'type="hidden"' in tag:
                continue
            found = re.search(r'\bid="([^"]+)"', tag)
            if "aria-label=" in tag:
                continue
            if not found or f'for="{found.group(1)}"' not in html:
                missing.append(tag[:80])
    return missing


def test_every_charge_line_input_has_a_label(ops_client: Client, tenant: Tenant, big_booking) -> None:
    for url in (reverse("bookings:create"), reverse("bookings:edit", args=[big_booking.pk])):
        html = ops_client.get(url).content.decode()
        assert not _unlabelled_inputs(html, 'class="charges-edit"'), url
    assert "Description, line 1" in html


def test_every_invoice_line_input_has_a_label(accounts_client: Client, tenant: Tenant, big_booking) -> None:
    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[big_booking], mark_ready=True)
    html = accounts_client.get(reverse("invoicing:edit", args=[invoice.public_id])).content.decode()
    assert not _unlabelled_inputs(html, 'class="line-edit')


def test_warehouse_kind_filter_offers_any_kind_not_dashes(ops_client: Client, tenant: Tenant) -> None:
    WarehouseJobFactory(tenant=tenant, kind="inbound")

    html = ops_client.get(reverse("warehouse:list")).content.decode()

    assert "---------" not in html
    assert '<option value="">Any kind</option>' in html
