"""Builds the scale benchmark's tenant: 100,000 bookings, 5,000 warehouse jobs, 2,000 customers and
20,000 invoices (issue 11). Used by ``bench/scale_bench.py``; not a test, not product code.

Rows go in through Django's ``bulk_create`` (not raw SQL) so that columns other engineers add with
a model default keep working. Deterministic: the same arguments build the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BATCH = 5_000
WORDS = [
    "Harbour",
    "Pacific",
    "Southern",
    "Coastal",
    "Metro",
    "Alpine",
    "Outback",
    "Capital",
    "Golden",
    "Western",
    "Eastern",
    "Northern",
    "Freight",
    "Logistics",
    "Transport",
    "Imports",
    "Exports",
    "Trading",
    "Supplies",
    "Foods",
    "Steel",
    "Timber",
    "Paper",
    "Textiles",
]


@dataclass(frozen=True)
class Sizes:
    bookings: int = 100_000
    warehouse_jobs: int = 5_000
    customers: int = 2_000
    invoices: int = 20_000  # invoiced bookings, one invoice each
    completed_bookings: int = 9_500  # waiting on the Raise page, with...
    completed_warehouse: int = 500  # ...these: 10,000 jobs to raise


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def build(*, sizes: Sizes, slug: str = "scale") -> Any:
    """Create the tenant and its data; returns the tenant. Takes about a minute on 2 cores."""
    from django.db import connection, transaction

    from bookings.models import Booking, BookingCharge
    from customers.models import Customer, InvoicingRule
    from invoicing.models import Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
    from tenancy.models import STAFF_ROLES, Sequence, TaxCode, Tenant, User
    from warehouse.models import WarehouseCharge, WarehouseJob

    rng = random.Random(11)
    today = dt.date(2026, 12, 1)
    with transaction.atomic():
        tenant = Tenant.objects.create(name="Scale Freight", slug=slug, timezone="Australia/Sydney")
        gst = TaxCode.objects.create(tenant=tenant, code="GST", name="GST 10%", rate=Decimal("10"))
        tenant.default_tax_code = gst
        tenant.save(update_fields=["default_tax_code"])
        for role in STAFF_ROLES:  # a customer user needs a customer (tenancy constraint)
            User.objects.create_user(
                email=f"{role.value}@{slug}.example", password="bench-only-pw", tenant=tenant, role=role
            )
        customers = _bulk(
            Customer,
            [
                Customer(
                    tenant=tenant,
                    name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} Pty Ltd",
                    code=f"C{i:05d}",
                    invoicing_rule=InvoicingRule.PER_JOB,
                )
                for i in range(sizes.customers)
            ],
        )

        def job_fields(i: int) -> dict[str, Any]:
            ref = f"PO-{rng.randrange(10**6):06d}-{i}" if i % 5 else ""
            created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=7 * i)
            return {
                "tenant": tenant,
                "customer": customers[i % len(customers)],
                "customer_reference": ref,
                "created_at": created,
            }

        open_statuses = ("draft", "booked", "in_transit", "delivered", "cancelled")
        n_inv, n_done = sizes.invoices, sizes.completed_bookings
        bookings = []
        for i in range(sizes.bookings):
            status = "invoiced" if i < n_inv else "completed" if i < n_inv + n_done else open_statuses[i % 5]
            bookings.append(
                Booking(
                    number=f"B{i + 1:06d}",
                    status=status,
                    consignor_name=f"Shipper {i % 977}",
                    consignee_name=f"Receiver {i % 853}",
                    delivery_date=today,
                    **job_fields(i),
                )
            )
        bookings = _bulk(Booking, bookings)
        wh_statuses = ("draft", "booked", "in_progress", "cancelled")
        warehouse = _bulk(
            WarehouseJob,
            [
                WarehouseJob(
                    number=f"W{i + 1:06d}",
                    end_date=today,
                    status="completed" if i < sizes.completed_warehouse else wh_statuses[i % 4],
                    **job_fields(i),
                )
                for i in range(sizes.warehouse_jobs)
            ],
        )

        def charges(model: Any, jobs: list[Any]) -> None:
            rows = []
            for job in jobs:
                rows.append(
                    model(
                        job=job,
                        position=0,
                        description="Linehaul",
                        quantity=Decimal("1"),
                        unit_price=Decimal(rng.randrange(5_000, 90_000)) / 100,
                        tax_code=gst,
                    )
                )
                rows.append(
                    model(
                        job=job,
                        position=1,
                        description="Fuel levy",
                        quantity=Decimal("2.5"),
                        unit_price=Decimal("12.40"),
                        tax_code=gst,
                    )
                )
                if len(rows) >= BATCH:
                    _bulk(model, rows)
                    rows = []
            _bulk(model, rows)

        charges(BookingCharge, bookings)
        charges(WarehouseCharge, warehouse)

        invoices = _bulk(
            Invoice,
            [
                Invoice(
                    tenant=tenant,
                    number=f"INV-{i + 1:06d}",
                    customer=b.customer,
                    date=today,
                    due_date=today + dt.timedelta(days=30),
                    currency="AUD",
                    status=InvoiceStatus.EXPORTED if i % 10 else InvoiceStatus.READY,
                    subtotal=Decimal("100.00"),
                    tax_total=Decimal("10.00"),
                    total=Decimal("110.00"),
                )
                for i, b in enumerate(bookings[:n_inv])
            ],
        )
        links = _bulk(
            InvoiceJob,
            [
                InvoiceJob(invoice=inv, booking=b, job_number=b.number, customer_reference=b.customer_reference)
                for inv, b in zip(invoices, bookings[:n_inv], strict=True)
            ],
        )
        _bulk(
            InvoiceLine,
            [
                InvoiceLine(
                    invoice=link.invoice,
                    invoice_job=link,
                    position=p,
                    description=d,
                    quantity=Decimal("1"),
                    unit_price=Decimal("50.00"),
                    account_code="200",
                    tax_code="GST",
                    tax_rate=Decimal("10"),
                    line_amount=Decimal("50.00"),
                    tax_amount=Decimal("5.00"),
                )
                for link in links
                for p, d in ((0, "Linehaul"), (1, "Fuel levy"))
            ],
        )
        for name, value in (("booking", sizes.bookings), ("warehouse_job", sizes.warehouse_jobs), ("invoice", n_inv)):
            Sequence.objects.create(tenant=tenant, name=name, last_value=value)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return tenant
