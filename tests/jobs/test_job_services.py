"""The shared job services: numbering, status rules, read-only once invoiced, tenant checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings.models import Booking
from bookings.services import BOOKING_FLOW, booking_create, booking_update
from jobs.services import ChargeData, JobLockedError, job_statuses_allowed
from tenancy.models import TaxCode, Tenant
from tests.jobs.helpers import make_booking, make_customer, make_warehouse_job
from warehouse.services import WAREHOUSE_FLOW, warehouse_job_create, warehouse_job_update


def test_numbers_are_sequential_per_tenant_and_per_kind(tenant: Tenant, other_tenant: Tenant) -> None:
    ours = make_customer(tenant=tenant)
    theirs = make_customer(tenant=other_tenant)
    numbers = [booking_create(tenant=tenant, customer=ours).number for _ in range(3)]
    assert numbers == ["B000001", "B000002", "B000003"]
    assert booking_create(tenant=other_tenant, customer=theirs).number == "B000001"
    assert warehouse_job_create(tenant=tenant, customer=ours, kind="storage").number == "W000001"
    assert warehouse_job_create(tenant=tenant, customer=ours).number == "W000002"


def test_failed_create_does_not_use_up_a_number(tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    with pytest.raises(ValidationError):
        booking_create(tenant=tenant, customer=customer, customer_reference="x" * 256)
    assert booking_create(tenant=tenant, customer=customer).number == "B000001"


def test_create_saves_charges_in_order(tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    gst = TaxCode.objects.get(tenant=tenant, code="GST")
    booking = booking_create(
        tenant=tenant,
        customer=customer,
        status="booked",
        charges=[
            ChargeData(description="Linehaul", quantity=Decimal("1"), unit_price=Decimal("100"), tax_code=gst),
            ChargeData(description="Tailgate", quantity=Decimal("2"), unit_price=Decimal("25.50")),
        ],
    )
    assert [(c.position, c.description, c.amount) for c in booking.charges.all()] == [
        (0, "Linehaul", Decimal("100.00")),
        (1, "Tailgate", Decimal("51.00")),
    ]


def test_services_refuse_another_tenants_customer_and_tax_code(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(ValidationError):
        booking_create(tenant=tenant, customer=make_customer(tenant=other_tenant))
    foreign_tax = TaxCode.objects.get(tenant=other_tenant, code="GST")
    charge = ChargeData(description="x", quantity=Decimal("1"), unit_price=Decimal("1"), tax_code=foreign_tax)
    with pytest.raises(ValidationError):
        warehouse_job_create(tenant=tenant, customer=make_customer(tenant=tenant), charges=[charge])
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("flow", "current", "expected"),
    [
        (BOOKING_FLOW, None, ["draft", "booked", "in_transit", "delivered", "completed", "cancelled"]),
        (BOOKING_FLOW, "draft", ["draft", "booked", "in_transit", "delivered", "completed", "cancelled"]),
        (BOOKING_FLOW, "delivered", ["in_transit", "delivered", "completed", "cancelled"]),
        (BOOKING_FLOW, "completed", ["delivered", "completed", "cancelled"]),
        (BOOKING_FLOW, "cancelled", ["cancelled", "draft"]),
        (BOOKING_FLOW, "invoiced", ["invoiced"]),
        (WAREHOUSE_FLOW, "in_progress", ["booked", "in_progress", "completed", "cancelled"]),
    ],
)
def test_allowed_status_moves(flow: tuple[str, ...], current: str | None, expected: list[str]) -> None:
    assert job_statuses_allowed(flow=flow, current=current) == expected


def test_invoiced_is_never_set_by_the_job_services(tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    with pytest.raises(ValidationError):
        booking_create(tenant=tenant, customer=customer, status="invoiced")
    booking = make_booking(tenant=tenant, status="completed")
    with pytest.raises(ValidationError):
        booking_update(job=booking, status="invoiced")
    booking.refresh_from_db()
    assert booking.status == "completed"


def test_invoiced_job_cannot_be_updated(tenant: Tenant) -> None:
    booking = make_booking(tenant=tenant, status="invoiced", customer_reference="FROZEN")
    with pytest.raises(JobLockedError):
        booking_update(job=booking, customer_reference="CHANGED")
    # Even a stale in-memory copy is refused: the service re-reads the row under a lock.
    stale = make_booking(tenant=tenant, status="completed")
    Booking.objects.filter(pk=stale.pk).update(status="invoiced")
    with pytest.raises(JobLockedError):
        booking_update(job=stale, customer_reference="CHANGED", charges=[])


def test_update_with_charges_none_keeps_charges(tenant: Tenant) -> None:
    from tests.factories import WarehouseChargeFactory

    job = make_warehouse_job(tenant=tenant, status="booked")
    WarehouseChargeFactory(job=job)
    updated = warehouse_job_update(job=job, status="in_progress")
    assert updated.status == "in_progress" and updated.charges.count() == 1


def test_job_on_an_active_invoice_cannot_be_updated_even_if_status_disagrees(tenant: Tenant) -> None:
    from invoicing.models import Invoice, InvoiceJob

    booking = make_booking(tenant=tenant, status="completed")
    invoice = Invoice.objects.create(
        tenant=tenant, number="INV-X", customer=booking.customer, due_date="2026-12-31", currency="AUD"
    )
    InvoiceJob.objects.create(invoice=invoice, booking=booking, job_number=booking.number)
    with pytest.raises(JobLockedError):
        booking_update(job=booking, customer_reference="CHANGED")
