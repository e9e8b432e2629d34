"""Reads for the invoicing pages. Every list costs a fixed number of queries, whatever its length."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from bookings.models import Booking
from customers.models import Customer, InvoicingRule
from invoicing.filters import InvoiceFilter, ReadyInvoiceFilter
from invoicing.models import EXPORTABLE_STATUSES, Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
from jobs.models import COMPLETED
from tenancy.models import Tenant
from warehouse.models import WarehouseJob


def _with_jobs(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return qs.select_related("customer").prefetch_related(
        Prefetch("invoice_jobs", queryset=InvoiceJob.objects.order_by("position", "id"))
    )


def invoice_list(
    *, tenant: Tenant, filters: Mapping[str, Any] | None = None
) -> tuple[InvoiceFilter, QuerySet[Invoice]]:
    """All the tenant's invoices, newest first, searched and filtered; returns the bound filter for the form."""
    base = _with_jobs(Invoice.objects.filter(tenant=tenant)).order_by("-id")
    invoice_filter = InvoiceFilter(filters or None, queryset=base)
    return invoice_filter, invoice_filter.qs


def invoices_ready(
    *, tenant: Tenant, filters: Mapping[str, Any] | None = None
) -> tuple[InvoiceFilter, QuerySet[Invoice]]:
    """Ready to Export: ready and export-failed invoices, oldest first (the order they should go)."""
    base = _with_jobs(Invoice.objects.filter(tenant=tenant, status__in=list(EXPORTABLE_STATUSES))).order_by("id")
    invoice_filter = ReadyInvoiceFilter(filters or None, queryset=base)
    return invoice_filter, invoice_filter.qs


def invoices_exporting_count(*, tenant: Tenant) -> int:
    """Invoices on their way to Xero: they left Ready to Export, so the page says where they went."""
    return Invoice.objects.filter(tenant=tenant, status=InvoiceStatus.EXPORTING).count()


def invoice_detail_queryset() -> QuerySet[Invoice]:
    """For ``tenant_get_object_or_404``: the invoice with its jobs and lines in three queries."""
    return Invoice.objects.select_related("customer").prefetch_related(
        Prefetch("invoice_jobs", queryset=InvoiceJob.objects.order_by("position", "id")),
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id")),
    )


@dataclass
class JobLines:
    invoice_job: InvoiceJob | None  # None: lines not tied to a job
    lines: list[InvoiceLine]


def invoice_lines_by_job(*, invoice: Invoice) -> list[JobLines]:
    """Lines grouped under the job they came from, in job order (uses the prefetched rows)."""
    groups = {ij.pk: JobLines(invoice_job=ij, lines=[]) for ij in invoice.invoice_jobs.all()}
    loose = JobLines(invoice_job=None, lines=[])
    for line in invoice.lines.all():
        groups.get(line.invoice_job_id or 0, loose).lines.append(line)
    result = list(groups.values())
    if loose.lines:
        result.append(loose)
    return result


def invoice_export_messages(*, invoice: Invoice) -> list[str]:
    """Xero's validation messages one per item (the engine joins them with "; " or new lines)."""
    text = invoice.export_error.replace("\r", "").replace("\n", "; ")
    return [part.strip() for part in text.split("; ") if part.strip()]


@dataclass
class UninvoicedJob:
    key: str  # "b:<pk>" or "w:<pk>", the value the Raise form posts
    kind: str
    number: str
    customer_reference: str
    date: Any
    charge_count: int
    amount: Decimal


@dataclass
class CustomerUninvoiced:
    customer: Customer
    jobs: list[UninvoicedJob] = field(default_factory=list)

    @property
    def is_consolidated(self) -> bool:
        return self.customer.invoicing_rule == InvoicingRule.CONSOLIDATED

    @property
    def amount(self) -> Decimal:
        return sum((j.amount for j in self.jobs), Decimal("0.00"))

    @property
    def invoice_count(self) -> int:
        """How many invoices raising all of this customer's billable jobs would create."""
        billable = sum(1 for j in self.jobs if j.charge_count)
        return min(billable, 1) if self.is_consolidated else billable


def jobs_uninvoiced_by_customer(*, tenant: Tenant) -> list[CustomerUninvoiced]:
    """Completed, uninvoiced bookings and warehouse jobs grouped by customer (two queries)."""
    amount = ExpressionWrapper(F("charges__quantity") * F("charges__unit_price"), output_field=DecimalField())
    annotations = {
        "charge_count": Count("charges"),
        "amount": Coalesce(Sum(amount), Value(Decimal("0")), output_field=DecimalField()),
    }
    groups: dict[int, CustomerUninvoiced] = {}
    sources: list[tuple[str, str, QuerySet[Any], str]] = [
        ("b", "Booking", Booking.objects.all(), "delivery_date"),
        ("w", "Warehouse", WarehouseJob.objects.all(), "end_date"),
    ]
    for prefix, kind, qs, date_field in sources:
        rows = qs.filter(tenant=tenant, status=COMPLETED).select_related("customer").annotate(**annotations)
        for job in rows.order_by("number"):
            group = groups.setdefault(job.customer_id, CustomerUninvoiced(customer=job.customer))
            group.jobs.append(
                UninvoicedJob(
                    key=f"{prefix}:{job.pk}",
                    kind=kind,
                    number=job.number,
                    customer_reference=job.customer_reference,
                    date=getattr(job, date_field),
                    charge_count=job.charge_count,
                    amount=Decimal(job.amount).quantize(Decimal("0.01")),
                )
            )
    return sorted(groups.values(), key=lambda g: (g.customer.name.lower(), g.customer.pk))
