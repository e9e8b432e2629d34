"""Reads for the invoicing pages. Every list costs a fixed number of queries, whatever its length."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, Length, Lower, RowNumber

from bookings.models import Booking
from customers.models import Customer, InvoicingRule
from invoicing.filters import InvoiceFilter, ReadyInvoiceFilter
from invoicing.models import EXPORTABLE_STATUSES, Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
from invoicing.problems import export_messages_split, invoice_export_problems
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


@dataclass(frozen=True)
class WaitingCounts:
    """What "Export all" takes: every ready invoice, and the export-failed ones it retries."""

    ready: int
    failed: int

    @property
    def total(self) -> int:
        return self.ready + self.failed


def invoices_waiting_counts(*, tenant: Tenant) -> WaitingCounts:
    agg = Invoice.objects.filter(tenant=tenant).aggregate(
        ready=Count("id", filter=Q(status=InvoiceStatus.READY)),
        failed=Count("id", filter=Q(status=InvoiceStatus.EXPORT_FAILED)),
    )
    return WaitingCounts(ready=agg["ready"], failed=agg["failed"])


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
    """Xero's validation messages one per item, each once (see invoicing/problems.py)."""
    return export_messages_split(invoice.export_error)


def invoices_export_problems_attach(*, invoices: Iterable[Invoice]) -> None:
    """Set ``export_problems`` on each export-failed invoice of a page (one query for their lines)."""
    failed = [inv for inv in invoices if inv.status == InvoiceStatus.EXPORT_FAILED and inv.export_error]
    by_invoice: dict[int, list[InvoiceLine]] = {}
    for line in InvoiceLine.objects.filter(invoice__in=failed).order_by("position", "id"):
        by_invoice.setdefault(line.invoice_id, []).append(line)
    for inv in invoices:
        lines = by_invoice.get(inv.pk, [])
        sent = [{"account_code": line.account_code, "tax_code": line.tax_code} for line in lines]
        inv.export_problems = invoice_export_problems(invoice=inv, sent_lines=sent) if inv in failed else []  # type: ignore[attr-defined]


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
    """A customer's completed jobs: totals over all of them, ``jobs`` only the first few shown."""

    customer: Customer
    jobs: list[UninvoicedJob] = field(default_factory=list)
    job_count: int = 0
    billable_count: int = 0
    total_amount: Decimal = Decimal("0.00")

    @property
    def is_consolidated(self) -> bool:
        return self.customer.invoicing_rule == InvoicingRule.CONSOLIDATED

    @property
    def amount(self) -> Decimal:
        return self.total_amount

    @property
    def hidden_count(self) -> int:
        """Jobs not listed on the page; ticking the customer raises them too."""
        return self.job_count - len(self.jobs)

    @property
    def invoice_count(self) -> int:
        """How many invoices raising all of this customer's billable jobs would create."""
        return min(self.billable_count, 1) if self.is_consolidated else self.billable_count


RAISE_CUSTOMERS_PER_PAGE = 20
RAISE_JOBS_PER_CUSTOMER = 25
_RAISE_SOURCES: tuple[tuple[str, str, type[Booking] | type[WarehouseJob], str], ...] = (
    ("b", "Booking", Booking, "delivery_date"),
    ("w", "Warehouse", WarehouseJob, "end_date"),
)


@dataclass
class RaisePage:
    """One page of the Raise page: customers with completed jobs, each with its first jobs."""

    page_obj: Page
    groups: list[CustomerUninvoiced]
    jobs_total: int
    customers_total: int


def _customers_with_completed_jobs(*, tenant: Tenant) -> QuerySet[Customer]:
    with_jobs = Q(pk__in=Booking.objects.filter(tenant=tenant, status=COMPLETED).values("customer_id")) | Q(
        pk__in=WarehouseJob.objects.filter(tenant=tenant, status=COMPLETED).values("customer_id")
    )
    return Customer.objects.filter(with_jobs, tenant=tenant).order_by(Lower("name"), "pk")


def raise_page(
    *,
    tenant: Tenant,
    page_number: Any,
    per_page: int = RAISE_CUSTOMERS_PER_PAGE,
    jobs_per_customer: int = RAISE_JOBS_PER_CUSTOMER,
) -> RaisePage:
    """Completed, uninvoiced jobs grouped by customer, a page of customers at a time.

    Each customer shows its totals (over all its completed jobs) and its first
    ``jobs_per_customer`` jobs; the whole customer is raised by ticking the customer. A fixed
    number of queries, whatever the number of jobs.
    """
    page_obj = Paginator(_customers_with_completed_jobs(tenant=tenant), per_page).get_page(page_number)
    customers = list(page_obj.object_list)
    groups = {c.pk: CustomerUninvoiced(customer=c) for c in customers}
    jobs_total = 0
    amount = ExpressionWrapper(F("charges__quantity") * F("charges__unit_price"), output_field=DecimalField())
    for prefix, kind, model, date_field in _RAISE_SOURCES:
        completed = model._default_manager.filter(tenant=tenant, status=COMPLETED)
        jobs_total += completed.count()
        summary = (
            completed.filter(customer_id__in=list(groups))
            .values("customer_id")
            .annotate(
                jobs=Count("id", distinct=True),
                billable=Count("id", distinct=True, filter=Q(charges__isnull=False)),
                amount=Coalesce(Sum(amount), Value(Decimal("0")), output_field=DecimalField()),
            )
            .order_by()
        )
        for row in summary:
            group = groups[row["customer_id"]]
            group.job_count += row["jobs"]
            group.billable_count += row["billable"]
            group.total_amount += Decimal(row["amount"]).quantize(Decimal("0.01"))
        first = Window(RowNumber(), partition_by=F("customer_id"), order_by=(Length("number"), "number"))
        shown = list(
            completed.filter(customer_id__in=list(groups))
            .annotate(row_number=first)
            .filter(row_number__lte=jobs_per_customer)
            .order_by("customer_id", "row_number")
        )
        per_job = (
            model.charges.rel.related_model.objects.filter(job_id__in=[job.pk for job in shown])  # type: ignore[attr-defined]
            .values("job_id")
            .annotate(n=Count("id"), amount=Sum(F("quantity") * F("unit_price"), output_field=DecimalField()))
            .values_list("job_id", "n", "amount")
            .order_by()
        )
        charges = {job_id: (n, amt) for job_id, n, amt in per_job}
        for job in shown:
            n, amt = charges.get(job.pk, (0, Decimal("0")))
            groups[job.customer_id].jobs.append(
                UninvoicedJob(
                    key=f"{prefix}:{job.pk}",
                    kind=kind,
                    number=job.number,
                    customer_reference=job.customer_reference,
                    date=getattr(job, date_field),
                    charge_count=n,
                    amount=Decimal(amt).quantize(Decimal("0.01")),
                )
            )
    return RaisePage(
        page_obj=page_obj,
        groups=[groups[c.pk] for c in customers],
        jobs_total=jobs_total,
        customers_total=page_obj.paginator.count,
    )
