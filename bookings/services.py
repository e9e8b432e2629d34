"""Writes for bookings. Numbering, status rules and charges are shared with warehouse jobs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bookings.models import Booking, BookingStatus
from customers.models import Customer
from jobs.services import ChargeData, job_create, job_update
from tenancy.models import Tenant

# The path a booking normally follows; "invoiced" and "cancelled" sit outside it.
BOOKING_FLOW = (
    BookingStatus.DRAFT,
    BookingStatus.BOOKED,
    BookingStatus.IN_TRANSIT,
    BookingStatus.DELIVERED,
    BookingStatus.COMPLETED,
)


def booking_create(*, tenant: Tenant, customer: Customer, charges: Iterable[ChargeData] = (), **fields: Any) -> Booking:
    """Create a booking with the tenant's next ``B`` number, in one transaction with its charges.

    ``fields`` are Booking fields (customer_reference, consignor_*, consignee_*, dates, pieces,
    weight_kg, volume_m3, status, notes).
    """
    return job_create(model=Booking, flow=BOOKING_FLOW, tenant=tenant, customer=customer, charges=charges, **fields)


def booking_update(
    *,
    job: Booking,
    customer: Customer | None = None,
    charges: Iterable[ChargeData] | None = None,
    **fields: Any,
) -> Booking:
    """Edit a booking; refuses invoiced bookings and status moves outside the flow."""
    return job_update(job=job, flow=BOOKING_FLOW, customer=customer, charges=charges, **fields)
