"""What the shared job tests need to drive bookings and warehouse jobs through the same pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bookings.models import Booking
from customers.models import Customer
from tenancy.models import Tenant
from tests.factories import (
    BookingChargeFactory,
    BookingFactory,
    CustomerFactory,
    TenantFactory,
    WarehouseChargeFactory,
    WarehouseJobFactory,
)
from warehouse.models import WarehouseJob


@dataclass(frozen=True)
class JobKind:
    namespace: str
    # Any: factory_boy factories and the concrete models are used duck-typed across both kinds.
    model: Any
    factory: Any
    charge_factory: Any
    prefix: str
    fields: dict[str, str]
    in_progress: str

    def __str__(self) -> str:
        return self.namespace


BOOKINGS = JobKind(
    namespace="bookings",
    model=Booking,
    factory=BookingFactory,
    charge_factory=BookingChargeFactory,
    prefix="B",
    fields={
        "consignor_name": "Acme Exports",
        "consignor_address": "1 Dock Rd, Sydney",
        "consignee_name": "Harbour Imports",
        "consignee_address": "9 Pier St, Melbourne",
        "pickup_date": "2026-11-20",
        "delivery_date": "2026-11-22",
        "pieces": "3",
        "weight_kg": "120.50",
        "volume_m3": "1.250",
    },
    in_progress="in_transit",
)
WAREHOUSE = JobKind(
    namespace="warehouse",
    model=WarehouseJob,
    factory=WarehouseJobFactory,
    charge_factory=WarehouseChargeFactory,
    prefix="W",
    fields={"kind": "storage", "start_date": "2026-11-01", "end_date": "2026-11-30"},
    in_progress="in_progress",
)
KINDS = [BOOKINGS, WAREHOUSE]


def job_form_data(
    kind: JobKind,
    *,
    customer: Customer,
    charges: list[dict[str, Any]] = (),  # type: ignore[assignment]
    initial_forms: int = 0,
    **overrides: Any,
) -> dict[str, Any]:
    """POST data for the job form plus its charge formset (prefix ``charges``)."""
    data: dict[str, Any] = {
        "customer": customer.pk,
        "customer_reference": "PO-7781",
        "status": "draft",
        "notes": "",
        **kind.fields,
        "charges-TOTAL_FORMS": str(len(charges)),
        "charges-INITIAL_FORMS": str(initial_forms),
        "charges-MIN_NUM_FORMS": "0",
        "charges-MAX_NUM_FORMS": "1000",
    }
    for index, charge in enumerate(charges):
        for name, value in charge.items():
            data[f"charges-{index}-{name}"] = "" if value is None else value
    data.update(overrides)
    return data


# factory_boy's stubs type a factory call as the factory; these typed wrappers keep mypy useful.
def make_tenant(**kwargs: Any) -> Tenant:
    return TenantFactory(**kwargs)  # type: ignore[return-value]


def make_customer(**kwargs: Any) -> Customer:
    return CustomerFactory(**kwargs)  # type: ignore[return-value]


def make_booking(**kwargs: Any) -> Booking:
    return BookingFactory(**kwargs)  # type: ignore[return-value]


def make_warehouse_job(**kwargs: Any) -> WarehouseJob:
    return WarehouseJobFactory(**kwargs)  # type: ignore[return-value]
