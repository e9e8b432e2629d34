"""Builds invoices straight into the tables (bulk) for export tests and the benchmark.

Independent of ``invoicing.services`` on purpose: the export engine is tested against the
model contract, and the benchmark needs 10,000 invoices in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bookings.models import Booking, BookingStatus
from customers.models import Customer
from integrations.xero.crypto import secret_encrypt
from integrations.xero.models import XeroConnection
from invoicing.models import Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
from tenancy.models import Tenant

JobSpec = tuple[str, Sequence[str]]  # (customer reference, line descriptions)


def customers_bulk_make(*, tenant: Tenant, count: int, prefix: str = "C") -> list[Customer]:
    Customer.objects.bulk_create(
        [
            Customer(
                tenant=tenant,
                name=f"{prefix} Customer {i:05d} Pty Ltd",
                code=f"{prefix}{i:05d}",
                email=f"ap{i}@{prefix.lower()}.example.com",
            )
            for i in range(count)
        ]
    )
    return list(Customer.objects.filter(tenant=tenant, code__startswith=prefix).order_by("code"))


def invoices_bulk_make(
    *,
    tenant: Tenant,
    customers: Sequence[Customer],
    count: int,
    jobs: Sequence[JobSpec] | None = None,
    status: str = InvoiceStatus.READY,
    number_prefix: str = "INV-",
    start: int = 1,
    currency: str = "AUD",
) -> list[Invoice]:
    """``count`` invoices round-robin over ``customers``; each covers ``jobs`` (default one job
    with reference ``PO-<n>`` and one line)."""
    today = dt.date(2026, 11, 20)
    specs_for = (lambda n: jobs) if jobs is not None else (lambda n: [(f"PO-{n}", ["Linehaul Sydney → Melbourne"])])
    invoices = Invoice.objects.bulk_create(
        [
            Invoice(
                tenant=tenant,
                number=f"{number_prefix}{start + i:06d}",
                customer=customers[i % len(customers)],
                date=today,
                due_date=today + dt.timedelta(days=30),
                currency=currency,
                status=status,
                subtotal=Decimal("100.00"),
                tax_total=Decimal("10.00"),
                total=Decimal("110.00"),
                is_consolidated=len(specs_for(i)) > 1,
            )
            for i in range(count)
        ]
    )
    bookings: list[Booking] = []
    for i, inv in enumerate(invoices):
        for j, (ref, _lines) in enumerate(specs_for(i)):
            bookings.append(
                Booking(
                    tenant=tenant,
                    number=f"J{number_prefix}{start + i:06d}-{j}",
                    customer=inv.customer,
                    customer_reference=ref,
                    status=BookingStatus.COMPLETED,
                )
            )
    Booking.objects.bulk_create(bookings)
    ijs: list[InvoiceJob] = []
    it = iter(bookings)
    for i, inv in enumerate(invoices):
        for j, (ref, _lines) in enumerate(specs_for(i)):
            b = next(it)
            ijs.append(InvoiceJob(invoice=inv, booking=b, position=j, job_number=b.number, customer_reference=ref))
    InvoiceJob.objects.bulk_create(ijs)
    lines: list[InvoiceLine] = []
    it_ij = iter(ijs)
    for i, inv in enumerate(invoices):
        for j, (_ref, descriptions) in enumerate(specs_for(i)):
            ij = next(it_ij)
            for k, desc in enumerate(descriptions):
                lines.append(
                    InvoiceLine(
                        invoice=inv,
                        invoice_job=ij,
                        position=j * 100 + k,
                        description=desc,
                        quantity=Decimal("1"),
                        unit_price=Decimal("100.00"),
                        account_code="",
                        tax_code="GST",
                        tax_rate=Decimal("10"),
                        line_amount=Decimal("100.00"),
                        tax_amount=Decimal("10.00"),
                    )
                )
    InvoiceLine.objects.bulk_create(lines)
    return invoices


def xero_connection_make(*, tenant: Tenant, sandbox: Any, org_id: str | None = None) -> XeroConnection:
    """A live connection to a sandbox organisation (tokens minted by the sandbox's control API;
    the OAuth flow itself is tested elsewhere)."""
    org = org_id or sandbox.au_org_id
    grant = sandbox.control.issue_token(org_ids=[org])
    conn_id = next((c["id"] for c in grant.get("connections", []) if c.get("tenantId") == org), "")
    return XeroConnection.objects.create(
        tenant=tenant,
        xero_tenant_id=org,
        xero_connection_id=conn_id,
        organisation_name="Sandbox org",
        access_token_encrypted=secret_encrypt(grant["access_token"]),
        refresh_token_encrypted=secret_encrypt(grant["refresh_token"]),
        access_token_expires_at=timezone.now() + dt.timedelta(seconds=int(grant["expires_in"])),
        scopes=grant.get("scope", ""),
    )


def sandbox_invoices_by_number(sandbox: Any, org_id: str) -> dict[str, list[dict[str, Any]]]:
    """InvoiceNumber → every invoice the sandbox holds under it (more than one = a duplicate)."""
    held: dict[str, list[dict[str, Any]]] = {}
    for inv in sandbox.control.invoices(org_id):
        held.setdefault(inv["InvoiceNumber"], []).append(inv)
    return held
