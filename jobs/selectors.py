"""Reads shared by bookings and warehouse jobs."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round

from jobs.models import COMPLETED, Job
from tenancy.models import Tenant

if TYPE_CHECKING:
    from invoicing.models import Invoice

J = TypeVar("J", bound=Job)


def _invoice_job_field(model: type[Job]) -> str:
    """The InvoiceJob column that points at this kind of job."""
    return "booking" if model._meta.model_name == "booking" else "warehouse_job"


def job_list(*, tenant: Tenant, model: type[J]) -> QuerySet[J]:
    """Jobs of one tenant for list pages: customer joined and charges summed in the same query."""
    money = DecimalField(max_digits=14, decimal_places=2)
    total = Coalesce(
        Sum(Round(F("charges__quantity") * F("charges__unit_price"), 2), output_field=money),
        Value(Decimal("0")),
        output_field=money,
    )
    queryset = model._default_manager.filter(tenant=tenant).select_related("customer")
    # Aggregation drops Meta.ordering, so order explicitly (newest first) for stable pages.
    return queryset.annotate(charges_total=total).order_by("-id")  # type: ignore[return-value]


def job_search(*, queryset: QuerySet[J], text: str) -> QuerySet[J]:
    """Match the job number, the customer's name or code, or the customer reference."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(number__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__code__icontains=text)
        | Q(customer_reference__icontains=text)
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
