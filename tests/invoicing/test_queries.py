"""List pages cost the same number of SQL queries at 10 and at 500 invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking, BookingCharge, BookingStatus
from invoicing.models import Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
from tenancy.models import Tenant
from tests.invoicing.conftest import make_customer

pytestmark = pytest.mark.django_db


def bulk_invoices(tenant: Tenant, n: int, *, status: str = InvoiceStatus.READY, start: int = 0) -> None:
    """``n`` invoices of two jobs each, written in a handful of bulk inserts."""
    customers = [make_customer(tenant=tenant) for _ in range(3)]
    bookings = Booking.objects.bulk_create(
        Booking(
            tenant=tenant,
            number=f"B{2 * start + i:06d}",
            customer=customers[i % 3],
            customer_reference=f"PO-{start + i}",
            status=BookingStatus.INVOICED,
        )
        for i in range(2 * n)
    )
    BookingCharge.objects.bulk_create(
        BookingCharge(job=b, description="Linehaul", quantity=1, unit_price=Decimal("10")) for b in bookings
    )
    invoices = Invoice.objects.bulk_create(
        Invoice(
            tenant=tenant,
            number=f"INV-{start + i:06d}",
            customer=customers[i % 3],
            due_date=dt.date(2026, 1, 31),
            currency="AUD",
            status=status,
            total=Decimal("22.00"),
        )
        for i in range(n)
    )
    links = InvoiceJob.objects.bulk_create(
        InvoiceJob(invoice=invoices[i // 2], booking=b, position=i % 2, job_number=b.number, customer_reference="r")
        for i, b in enumerate(bookings)
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=link.invoice,
            invoice_job=link,
            description="Linehaul",
            quantity=1,
            unit_price=Decimal("10"),
            account_code="200",
            line_amount=Decimal("10"),
        )
        for link in links
    )


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["invoicing:ready", "invoicing:list"])
def test_invoice_lists_keep_a_constant_query_count_from_10_to_500_rows(
    accounts_client: Client, tenant: Tenant, url_name: str, django_assert_max_num_queries: object
) -> None:
    url = reverse(url_name)
    bulk_invoices(tenant, 10)
    at_10 = count_queries(accounts_client, url)
    assert at_10 <= 12

    bulk_invoices(tenant, 490, start=10)
    with django_assert_max_num_queries(at_10):  # type: ignore[operator]
        body = accounts_client.get(url).content.decode()
    assert "Page 1 of 10" in body


def test_search_keeps_a_constant_query_count(
    accounts_client: Client, tenant: Tenant, django_assert_max_num_queries: object
) -> None:
    url = reverse("invoicing:list") + "?q=PO-&status=ready"
    bulk_invoices(tenant, 10)
    at_10 = count_queries(accounts_client, url)
    bulk_invoices(tenant, 490, start=10)
    with django_assert_max_num_queries(at_10):  # type: ignore[operator]
        accounts_client.get(url)


def test_raise_page_keeps_a_constant_query_count(
    accounts_client: Client, tenant: Tenant, django_assert_max_num_queries: object
) -> None:
    def completed_jobs(n: int, start: int) -> None:
        customers = [make_customer(tenant=tenant) for _ in range(5)]
        jobs = Booking.objects.bulk_create(
            Booking(tenant=tenant, number=f"B{start + i:06d}", customer=customers[i % 5], status="completed")
            for i in range(n)
        )
        BookingCharge.objects.bulk_create(
            BookingCharge(job=b, description="Linehaul", quantity=1, unit_price=Decimal("10")) for b in jobs
        )

    url = reverse("invoicing:raise")
    completed_jobs(10, 0)
    at_10 = count_queries(accounts_client, url)
    completed_jobs(490, 10)
    with django_assert_max_num_queries(at_10):  # type: ignore[operator]
        body = accounts_client.get(url).content.decode()
    # Ten customers: five with 2 jobs, five with 98, of which the page lists the first 25 each.
    assert body.count('name="customer" value=') == 10
    assert body.count('name="job" value=') == 5 * 2 + 5 * 25
