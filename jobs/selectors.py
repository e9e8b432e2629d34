"""Reads shared by bookings and warehouse jobs."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Round

from customers.models import Customer
from jobs.models import COMPLETED, Job
from tenancy.models import Tenant

if TYPE_CHECKING:
    from invoicing.models import Invoice

J = TypeVar("J", bound=Job)


def _invoice_job_field(model: type[Job]) -> str:
    """The InvoiceJob column that points at this kind of job."""
    return "booking" if model._meta.model_name == "booking" else "warehouse_job"


def job_list(*, tenant: Tenant, model: type[J]) -> QuerySet[J]:
    """Jobs of one tenant for list pages, newest first, with their customer.

    No charge totals here: summing in the same query made every page (and the paginator's count)
    GROUP BY all of the tenant's jobs. :func:`job_totals_attach` sums only the rows of the page.
    """
    return model._default_manager.filter(tenant=tenant).select_related("customer").order_by("-id")


def job_totals_attach(*, jobs: Iterable[J]) -> list[J]:
    """Set ``charges_total`` on each job (a page of them) with one query, whatever their number."""
    rows = list(jobs)
    if not rows:
        return rows
    money = DecimalField(max_digits=14, decimal_places=2)
    charge_model = type(rows[0]).charges.rel.related_model  # type: ignore[attr-defined]
    totals = dict(
        charge_model.objects.filter(job_id__in=[job.pk for job in rows])
        .values("job_id")
        .annotate(total=Sum(Round(F("quantity") * F("unit_price"), 2), output_field=money))
        .values_list("job_id", "total")
        .order_by()
    )
    for job in rows:
        job.charges_total = totals.get(job.pk) or Decimal("0")  # type: ignore[attr-defined]
    return rows


def job_search(*, queryset: QuerySet[J], text: str, tenant: Tenant) -> QuerySet[J]:
    """Match the job number, the customer's name or code, or the customer reference.

    Each condition is on the job's own columns (the matching customers are looked up first, in
    their own small table), so PostgreSQL can combine the trigram indexes with a BitmapOr instead
    of joining and scanning every job.
    """
    text = text.strip()
    if not text:
        return queryset
    customer_ids = list(
        Customer.objects.filter(tenant=tenant)
        .filter(Q(name__icontains=text) | Q(code__icontains=text))
        .values_list("pk", flat=True)
    )
    return queryset.filter(
        Q(number__icontains=text) | Q(customer_reference__icontains=text) | Q(customer_id__in=customer_ids)
    )


def job_filter_invoiceable(*, queryset: QuerySet[J]) -> QuerySet[J]:
    """Completed jobs no active invoice covers: what accounts should invoice next."""
    from invoicing.models import InvoiceJob

    field = _invoice_job_field(queryset.model)
    linked = InvoiceJob.objects.filter(active=True, **{field: OuterRef("pk")})
    return queryset.filter(status=COMPLETED).filter(~Exists(linked))


def job_active_invoice(*, job: Job) -> Invoice | None:
    """The invoice currently covering the job, if any (voided invoices release their jobs)."""
    from invoicing.models import InvoiceJob

    field = _invoice_job_field(type(job))
    link = InvoiceJob.objects.filter(active=True, **{field: job}).select_related("invoice").first()
    return link.invoice if link else None


def job_charges(*, job: Job) -> list[object]:
    """Charge lines with their tax codes, in order."""
    return list(job.charges.select_related("tax_code").all())  # type: ignore[attr-defined]


def job_charges_total(*, charges: list[object]) -> Decimal:
    return sum((charge.amount for charge in charges), Decimal("0"))  # type: ignore[attr-defined]
