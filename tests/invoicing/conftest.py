"""Invoicing test helpers: jobs with priced charges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bookings.models import Booking
from customers.models import Customer, InvoicingRule
from tenancy.models import TaxCode, Tenant
from tests.factories import (
    BookingChargeFactory,
    BookingFactory,
    CustomerFactory,
    WarehouseChargeFactory,
    WarehouseJobFactory,
)
from warehouse.models import WarehouseJob

# Typed wrappers: factory_boy's stubs type a factory call as the factory, not the model.


def make_customer(**kwargs: Any) -> Customer:
    return CustomerFactory(**kwargs)  # type: ignore[return-value]


def make_booking(**kwargs: Any) -> Booking:
    return BookingFactory(**kwargs)  # type: ignore[return-value]


def make_warehouse_job(**kwargs: Any) -> WarehouseJob:
    job: WarehouseJob = WarehouseJobFactory(**kwargs)  # type: ignore[assignment]
    WarehouseChargeFactory(job=job, quantity=Decimal("4"), unit_price=Decimal("12.50"))
    return job


def booking_with_charges(customer: Customer, *charges: tuple[str, str, str], reference: str = "PO-1") -> Booking:
    """A completed booking; each charge is (quantity, unit price, tax code)."""
    booking = make_booking(tenant=customer.tenant, customer=customer, customer_reference=reference)
    for i, (qty, price, code) in enumerate(charges):
        BookingChargeFactory(
            job=booking,
            description=f"Charge {i + 1}",
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            tax_code=TaxCode.objects.get(tenant=customer.tenant, code=code),
            position=i,
        )
    return booking


@pytest.fixture
def per_job_customer(tenant: Tenant) -> Customer:
    return make_customer(tenant=tenant, name="Per Job Pty Ltd", invoicing_rule=InvoicingRule.PER_JOB)


@pytest.fixture
def consolidated_customer(tenant: Tenant) -> Customer:
    return make_customer(
        tenant=tenant, name="Monthly Consolidated Ltd", invoicing_rule=InvoicingRule.CONSOLIDATED, payment_terms_days=14
    )
