"""Raising invoices from completed jobs: per job, consolidated, numbers, dates, money to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import BookingStatus
from customers.models import Customer
from invoicing.models import Invoice, InvoiceJob, InvoiceStatus
from invoicing.services import invoice_raise_for_jobs, invoices_raise
from tenancy.models import Tenant
from tests.invoicing.conftest import booking_with_charges, make_booking, make_customer, make_warehouse_job

pytestmark = pytest.mark.django_db

# Hand-computed: (qty, unit price, tax code) -> exclusive amount / tax, inclusive tax.
#   3 x 33.33 GST    -> 99.99  tax 9.999 -> 10.00 | incl 99.99*10/110 = 9.0900 -> 9.09
#   1 x 0.25 GST     -> 0.25   tax 0.025 -> 0.03 (half-up, half-even would give 0.02) | incl 0.0227 -> 0.02
#   2.5 x 10.01 GST  -> 25.025 -> 25.03 (half-up) tax 2.503 -> 2.50 | incl 25.03/11 = 2.2754 -> 2.28
#   1 x 100.00 FRE   -> 100.00 tax 0
CHARGES = (("3", "33.33", "GST"), ("1", "0.25", "GST"), ("2.5", "10.01", "GST"), ("1", "100.00", "FRE"))


def test_per_job_customer_gets_one_invoice_per_job(per_job_customer: Customer) -> None:
    first = booking_with_charges(per_job_customer, ("1", "100", "GST"), reference="PO-48213")
    second = booking_with_charges(per_job_customer, ("1", "50", "GST"), reference="")

    invoices = invoice_raise_for_jobs(tenant=per_job_customer.tenant, jobs=[second, first])

    assert [inv.number for inv in invoices] == ["INV-000001", "INV-000002"]
    assert [[ij.job_number for ij in inv.invoice_jobs.all()] for inv in invoices] == [[first.number], [second.number]]
    assert invoices[0].invoice_jobs.get().customer_reference == "PO-48213"
    assert not any(inv.is_consolidated for inv in invoices)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == BookingStatus.INVOICED


def test_consolidated_customer_gets_one_invoice_covering_all_jobs_in_job_order(
    consolidated_customer: Customer, tenant: Tenant
) -> None:
    jobs = [booking_with_charges(consolidated_customer, ("1", "10", "GST"), reference=f"PO-{i}") for i in range(3)]
    warehouse = make_warehouse_job(tenant=tenant, customer=consolidated_customer, customer_reference="WO 7781-A")

    invoices = invoices_raise(tenant=tenant, customer=consolidated_customer, mark_ready=True)

    assert len(invoices) == 1
    invoice = invoices[0]
    assert invoice.is_consolidated
    assert invoice.status == InvoiceStatus.READY
    links = list(invoice.invoice_jobs.all())
    assert [ij.job_number for ij in links] == [j.number for j in jobs] + [warehouse.number]
    assert [ij.customer_reference for ij in links] == ["PO-0", "PO-1", "PO-2", "WO 7781-A"]
    lines = list(invoice.lines.order_by("position"))
    assert [line.invoice_job_id for line in lines] == [ij.pk for ij in links]
    assert invoice.subtotal == Decimal("80.00")
    assert invoice.tax_total == Decimal("8.00")
    assert invoice.total == Decimal("88.00")


def test_mixed_rules_raise_per_job_and_consolidated_invoices_together(
    per_job_customer: Customer, consolidated_customer: Customer, tenant: Tenant
) -> None:
    for _ in range(2):
        booking_with_charges(per_job_customer, ("1", "10", "GST"))
        booking_with_charges(consolidated_customer, ("1", "10", "GST"))

    invoices = invoices_raise(tenant=tenant)

    by_customer = sorted((inv.customer_id, inv.invoice_jobs.count()) for inv in invoices)
    assert by_customer == sorted([(per_job_customer.pk, 1), (per_job_customer.pk, 1), (consolidated_customer.pk, 2)])
    assert invoices_raise(tenant=tenant) == []


def test_exclusive_pricing_totals_and_tax_to_the_cent(per_job_customer: Customer) -> None:
    booking = booking_with_charges(per_job_customer, *CHARGES)

    [invoice] = invoice_raise_for_jobs(tenant=per_job_customer.tenant, jobs=[booking])

    lines = list(invoice.lines.order_by("position"))
    assert [line.line_amount for line in lines] == [Decimal(x) for x in ("99.99", "0.25", "25.03", "100.00")]
    assert [line.tax_amount for line in lines] == [Decimal(x) for x in ("10.00", "0.03", "2.50", "0.00")]
    assert [line.tax_code for line in lines] == ["GST", "GST", "GST", "FRE"]
    assert invoice.amounts_are == "exclusive"
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("225.27"),
        Decimal("12.53"),
        Decimal("237.80"),
    )


def test_inclusive_pricing_totals_and_tax_to_the_cent(per_job_customer: Customer, tenant: Tenant) -> None:
    tenant.price_entry = Tenant.PriceEntry.INCLUSIVE
    tenant.save()
    booking = booking_with_charges(per_job_customer, *CHARGES)

    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[booking])

    lines = list(invoice.lines.order_by("position"))
    assert [line.line_amount for line in lines] == [Decimal(x) for x in ("99.99", "0.25", "25.03", "100.00")]
    assert [line.tax_amount for line in lines] == [Decimal(x) for x in ("9.09", "0.02", "2.28", "0.00")]
    assert invoice.amounts_are == "inclusive"
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("213.88"),
        Decimal("11.39"),
        Decimal("225.27"),
    )


def test_invoice_dated_today_in_tenant_timezone_with_due_date_and_currency_from_customer(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 14:00 UTC on 1 March is 01:00 on 2 March in Sydney (AEDT, UTC+11).
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC))
    customer = make_customer(tenant=tenant, payment_terms_days=7, currency="NZD")
    booking = booking_with_charges(customer, ("1", "10", "GST"))

    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[booking])

    assert invoice.date == dt.date(2026, 3, 2)
    assert invoice.due_date == dt.date(2026, 3, 9)
    assert invoice.currency == "NZD"


def test_blank_account_stays_blank_for_the_export_default_and_tax_uses_tenant_default(
    per_job_customer: Customer, tenant: Tenant
) -> None:
    booking = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    booking.charges.update(account_code="", tax_code=None)
    booking.charges.create(description="Fuel levy", quantity=1, unit_price=Decimal("5"), account_code="260")

    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[booking])

    assert [(line.account_code, line.tax_code, line.tax_rate) for line in invoice.lines.order_by("position")] == [
        ("", "GST", Decimal("10.000")),  # the export sends Xero settings' Default sales account
        ("260", "GST", Decimal("10.000")),
    ]


def test_only_completed_jobs_of_this_tenant_with_charges_are_invoiced(
    per_job_customer: Customer, tenant: Tenant, other_tenant: Tenant
) -> None:
    delivered = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    delivered.status = BookingStatus.DELIVERED
    delivered.save()
    no_charges = make_booking(tenant=tenant, customer=per_job_customer)
    foreign = booking_with_charges(make_customer(tenant=other_tenant), ("1", "10", "GST"))

    assert invoice_raise_for_jobs(tenant=tenant, jobs=[delivered, no_charges, foreign]) == []
    no_charges.refresh_from_db()
    assert no_charges.status == BookingStatus.COMPLETED
    assert Invoice.objects.count() == 0


def test_a_job_already_invoiced_is_not_invoiced_again(per_job_customer: Customer, tenant: Tenant) -> None:
    booking = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    invoice_raise_for_jobs(tenant=tenant, jobs=[booking])

    assert invoice_raise_for_jobs(tenant=tenant, jobs=[booking]) == []
    assert InvoiceJob.objects.filter(booking=booking).count() == 1


def test_database_refuses_a_second_active_invoice_for_the_same_job(per_job_customer: Customer, tenant: Tenant) -> None:
    booking = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[booking])

    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceJob.objects.create(invoice=invoice, booking=booking, job_number=booking.number)


def test_invoice_numbers_are_per_tenant(per_job_customer: Customer, other_tenant: Tenant) -> None:
    mine = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    theirs = booking_with_charges(make_customer(tenant=other_tenant), ("1", "10", "GST"))

    [a] = invoice_raise_for_jobs(tenant=per_job_customer.tenant, jobs=[mine])
    [b] = invoice_raise_for_jobs(tenant=other_tenant, jobs=[theirs])

    assert a.number == b.number == "INV-000001"
