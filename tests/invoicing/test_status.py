"""Status machine and editing rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bookings.models import BookingStatus
from customers.models import Customer
from invoicing.models import EDITABLE_STATUSES, Invoice, InvoiceJob, InvoiceStatus
from invoicing.services import (
    InvoiceError,
    InvoiceLineChange,
    InvoiceNotEditableError,
    InvoiceStatusError,
    invoice_line_update,
    invoice_mark_draft,
    invoice_mark_ready,
    invoice_raise_for_jobs,
    invoice_update,
    invoice_void,
)
from tenancy.models import TaxCode, Tenant
from tests.invoicing.conftest import booking_with_charges, make_warehouse_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(per_job_customer: Customer, tenant: Tenant) -> Invoice:
    booking = booking_with_charges(per_job_customer, ("2", "50.00", "GST"), ("1", "20.00", "FRE"))
    [raised] = invoice_raise_for_jobs(tenant=tenant, jobs=[booking])
    return raised


def set_status(invoice: Invoice, status: str) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    invoice.refresh_from_db()


def test_raised_invoices_start_as_draft_unless_marked_ready(per_job_customer: Customer, tenant: Tenant) -> None:
    a = booking_with_charges(per_job_customer, ("1", "1", "GST"))
    b = booking_with_charges(per_job_customer, ("1", "1", "GST"))
    [draft] = invoice_raise_for_jobs(tenant=tenant, jobs=[a])
    [ready] = invoice_raise_for_jobs(tenant=tenant, jobs=[b], mark_ready=True)
    assert (draft.status, ready.status) == (InvoiceStatus.DRAFT, InvoiceStatus.READY)


def test_mark_ready_moves_draft_to_ready_and_back(invoice: Invoice) -> None:
    invoice_mark_ready(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY
    invoice_mark_draft(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT


@pytest.mark.parametrize("status", [InvoiceStatus.EXPORTING, InvoiceStatus.EXPORTED, InvoiceStatus.VOID])
def test_mark_ready_refuses_invoices_past_draft(invoice: Invoice, status: str) -> None:
    set_status(invoice, status)
    with pytest.raises(InvoiceStatusError, match=invoice.number):
        invoice_mark_ready(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == status


@pytest.mark.parametrize("status", [InvoiceStatus.DRAFT, InvoiceStatus.READY, InvoiceStatus.EXPORT_FAILED])
def test_void_releases_the_jobs_so_they_can_be_invoiced_again(
    invoice: Invoice, status: str, tenant: Tenant, per_job_customer: Customer
) -> None:
    warehouse = make_warehouse_job(tenant=tenant, customer=per_job_customer)
    [second] = invoice_raise_for_jobs(tenant=tenant, jobs=[warehouse])
    for inv in (invoice, second):
        set_status(inv, status)
        invoice_void(invoice=inv)
        inv.refresh_from_db()
        assert inv.status == InvoiceStatus.VOID
    assert not InvoiceJob.objects.filter(active=True).exists()
    booking = InvoiceJob.objects.get(invoice=invoice).booking
    assert booking is not None
    assert booking.status == BookingStatus.COMPLETED
    warehouse.refresh_from_db()
    assert warehouse.status == "completed"

    again = invoice_raise_for_jobs(tenant=tenant, jobs=[booking, warehouse])

    assert len(again) == 2
    assert InvoiceJob.objects.filter(booking=booking).count() == 2  # the void one stays, inactive


@pytest.mark.parametrize("status", [InvoiceStatus.EXPORTING, InvoiceStatus.EXPORTED, InvoiceStatus.VOID])
def test_void_refuses_invoices_that_went_to_xero_or_are_void(invoice: Invoice, status: str) -> None:
    set_status(invoice, status)
    with pytest.raises(InvoiceStatusError, match="cannot be voided"):
        invoice_void(invoice=invoice)
    assert InvoiceJob.objects.get(invoice=invoice).active


def test_editable_statuses_are_draft_ready_and_export_failed() -> None:
    assert {
        InvoiceStatus.DRAFT,
        InvoiceStatus.READY,
        InvoiceStatus.EXPORT_FAILED,
    } == EDITABLE_STATUSES


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (InvoiceStatus.DRAFT, InvoiceStatus.DRAFT),
        (InvoiceStatus.READY, InvoiceStatus.READY),
        # Corrected after Xero refused it: ready again, and the old refusal no longer shown (issue 8).
        (InvoiceStatus.EXPORT_FAILED, InvoiceStatus.READY),
    ],
)
def test_update_changes_dates_and_notes_and_keeps_status(invoice: Invoice, status: str, after: str) -> None:
    set_status(invoice, status)
    updated = invoice_update(
        invoice=invoice, date=dt.date(2026, 4, 1), due_date=dt.date(2026, 4, 30), notes="Call before paying"
    )
    assert (updated.date, updated.due_date, updated.notes, updated.status) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
        "Call before paying",
        after,
    )


@pytest.mark.parametrize("status", [InvoiceStatus.EXPORTING, InvoiceStatus.EXPORTED, InvoiceStatus.VOID])
def test_update_refuses_frozen_invoices_with_a_clear_message(invoice: Invoice, status: str) -> None:
    set_status(invoice, status)
    with pytest.raises(InvoiceNotEditableError, match="can no longer be edited"):
        invoice_update(invoice=invoice, notes="too late")
    invoice.refresh_from_db()
    assert invoice.notes == ""


def test_update_refuses_a_due_date_before_the_invoice_date(invoice: Invoice) -> None:
    with pytest.raises(InvoiceError, match="due date"):
        invoice_update(invoice=invoice, date=dt.date(2026, 5, 2), due_date=dt.date(2026, 5, 1))


def test_line_edit_recomputes_line_and_invoice_totals(invoice: Invoice, tenant: Tenant) -> None:
    # Before: 2 x 50.00 GST (100.00 + 10.00) and 20.00 FRE -> 120.00 + 10.00 = 130.00
    assert invoice.total == Decimal("130.00")
    line = invoice.lines.get(position=1)
    gst = TaxCode.objects.get(tenant=tenant, code="GST")

    invoice_line_update(
        invoice=invoice,
        change=InvoiceLineChange(
            line_id=line.pk,
            description="Tailgate",
            quantity=Decimal("3"),
            unit_price=Decimal("33.35"),
            account_code="210",
            tax_code=gst,
        ),
    )

    # After: 100.00 + 10.00 and 3 x 33.35 = 100.05 GST 10.005 -> 10.01; 200.05 + 20.01 = 220.06
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert (line.description, line.line_amount, line.tax_amount, line.tax_code, line.account_code) == (
        "Tailgate",
        Decimal("100.05"),
        Decimal("10.01"),
        "GST",
        "210",
    )
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("200.05"),
        Decimal("20.01"),
        Decimal("220.06"),
    )


def test_line_edit_refuses_a_line_of_another_invoice(invoice: Invoice, per_job_customer: Customer) -> None:
    other = booking_with_charges(per_job_customer, ("1", "1", "GST"))
    [other_invoice] = invoice_raise_for_jobs(tenant=invoice.tenant, jobs=[other])
    foreign_line = other_invoice.lines.get()
    change = InvoiceLineChange(foreign_line.pk, "x", Decimal("1"), Decimal("1"), "200", None)
    with pytest.raises(InvoiceError, match="not on this invoice"):
        invoice_line_update(invoice=invoice, change=change)
