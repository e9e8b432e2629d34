"""Writes for warehouse jobs. Numbering, status rules and charges are shared with bookings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from customers.models import Customer
from jobs.services import ChargeData, job_create, job_update
from tenancy.models import Tenant
from warehouse.models import WarehouseJob, WarehouseJobStatus

# The path a warehouse job normally follows; "invoiced" and "cancelled" sit outside it.
WAREHOUSE_FLOW = (
    WarehouseJobStatus.DRAFT,
    WarehouseJobStatus.BOOKED,
    WarehouseJobStatus.IN_PROGRESS,
    WarehouseJobStatus.COMPLETED,
)


def warehouse_job_create(
    *, tenant: Tenant, customer: Customer, charges: Iterable[ChargeData] = (), **fields: Any
) -> WarehouseJob:
    """Create a warehouse job with the tenant's next ``W`` number, in one transaction with its charges.

    ``fields`` are WarehouseJob fields (customer_reference, kind, start_date, end_date, status, notes).
    """
    return job_create(
        model=WarehouseJob, flow=WAREHOUSE_FLOW, tenant=tenant, customer=customer, charges=charges, **fields
    )


def warehouse_job_update(
    *,
    job: WarehouseJob,
    customer: Customer | None = None,
    charges: Iterable[ChargeData] | None = None,
    **fields: Any,
) -> WarehouseJob:
    """Edit a warehouse job; refuses invoiced jobs and status moves outside the flow."""
    return job_update(job=job, flow=WAREHOUSE_FLOW, customer=customer, charges=charges, **fields)
