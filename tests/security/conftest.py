"""Fixtures of the hostile-input tests: a customer, jobs and an invoice of tenant A, another tenant's
ids, and a Xero connection."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

import pytest

from bookings.models import BookingStatus
from customers.models import Customer, InvoicingRule
from integrations.xero.models import XeroConnection
from invoicing.models import Invoice
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Tenant, User
from tests.factories import (
    BookingChargeFactory,
    BookingFactory,
    CustomerFactory,
    TenantFactory,
    WarehouseChargeFactory,
    WarehouseJobFactory,
)


@pytest.fixture
def rival_ids(db: None) -> list[str]:
    """Ids of another tenant's rows, offered to every select and hidden field."""
    rival: Any = TenantFactory(slug="rival-hostile")
    customer: Any = CustomerFactory(tenant=rival)
    booking: Any = BookingFactory(tenant=rival, customer=customer)
    return [str(customer.pk), str(booking.pk), f"b:{booking.pk}", str(rival.default_tax_code_id)]


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    return cast(Customer, CustomerFactory(tenant=tenant, invoicing_rule=InvoicingRule.CONSOLIDATED))


@pytest.fixture
def booking(customer: Customer) -> Any:
    b = BookingFactory(tenant=customer.tenant, customer=customer, status=BookingStatus.DELIVERED)
    BookingChargeFactory(job=b)
    return b


@pytest.fixture
def warehouse_job(customer: Customer) -> Any:
    w = WarehouseJobFactory(tenant=customer.tenant, customer=customer, status="in_progress")
    WarehouseChargeFactory(job=w)
    return w


@pytest.fixture
def invoice(customer: Customer, admin_user: User) -> Invoice:
    jobs: list[Any] = []
    for _ in range(2):
        b = BookingFactory(tenant=customer.tenant, customer=customer, status=BookingStatus.COMPLETED)
        BookingChargeFactory(job=b)
        jobs.append(b)
    (inv,) = invoice_raise_for_jobs(tenant=customer.tenant, jobs=jobs, mark_ready=True, user=admin_user)
    return inv


@pytest.fixture
def connected(tenant: Tenant, admin_user: User) -> XeroConnection:
    from integrations.xero.crypto import secret_encrypt

    return XeroConnection.objects.create(
        tenant=tenant,
        xero_tenant_id=str(uuid.uuid4()),
        organisation_name="Acme Xero Org",
        connected_by=admin_user,
        access_token_encrypted=secret_encrypt("at"),
        refresh_token_encrypted=secret_encrypt("rt"),
        access_token_expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    """Documents of the worlds are written to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
