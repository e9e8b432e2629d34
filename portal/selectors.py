"""Reads of the customer portal. Every function takes the customer and never looks beyond it.

Bookings and warehouse jobs live in two tables; the portal lists them together as one UNION of
``values()`` rows, ordered and paginated in the database, so a page costs the same few queries at
ten jobs or ten thousand.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet, Value

from bookings.models import Booking, BookingStatus
from customers.models import Customer
from invoicing.models import Invoice, InvoiceStatus
from jobs.models import DONE_STATUSES, Job
from tracking.selectors import EVENT_LABELS, status_latest_annotations
from warehouse.models import WarehouseJob, WarehouseJobStatus

ROW_FIELDS = ("job_type", "id", "number", "customer_reference", "container_number", "direction", "status", "created_at")
STATUS_LABELS = {**dict(WarehouseJobStatus.choices), **dict(BookingStatus.choices)}
# Invoices a customer sees: raised and not withdrawn (a draft is still being prepared).
PORTAL_INVOICE_EXCLUDED = (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


def _job_rows(*, model: type[Job], code: str, customer: Customer) -> QuerySet[Any]:
    qs = model._default_manager.filter(tenant_id=customer.tenant_id, customer=customer)
    return qs.annotate(job_type=Value(code, output_field=CharField()), **status_latest_annotations(model=model))


def portal_job_search(
    *, customer: Customer, direction: str | None = None, done: bool = False, text: str = ""
) -> QuerySet[Any]:
    """The customer's jobs of both kinds as dict rows, newest first.

    ``done`` False: open jobs only (not completed, invoiced or cancelled); True: completed and
    invoiced ones. ``text`` matches the customer reference, job number or container number.
    """
    parts = []
    for model, code in ((Booking, "b"), (WarehouseJob, "w")):
        qs = _job_rows(model=model, code=code, customer=customer)
        qs = (
            qs.exclude(status="cancelled").filter(status__in=DONE_STATUSES)
            if done
            else qs.exclude(status__in=DONE_STATUSES)
        )
        if direction:
            qs = qs.filter(direction=direction)
        text = text.strip()
        if text:
            qs = qs.filter(
                Q(customer_reference__icontains=text) | Q(number__icontains=text) | Q(container_number__icontains=text)
            )
        parts.append(qs.values(*ROW_FIELDS, "tracking_code", "tracking_at"))
    return parts[0].union(parts[1], all=True).order_by("-created_at", "-id")


def portal_rows_label(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add display labels to dict rows (no extra queries)."""
    for row in rows:
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
        row["tracking_label"] = EVENT_LABELS.get(row["tracking_code"] or "", "")
    return rows


def portal_job_get(*, customer: Customer, model: type[Job], pk: int) -> Job | None:
    """One job of this customer, or None (the view answers 404)."""
    qs = model._default_manager.filter(tenant_id=customer.tenant_id, customer=customer, pk=pk)
    return qs.select_related("tenant", "customer").first()


def portal_invoices(*, customer: Customer) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(tenant_id=customer.tenant_id, customer=customer)
        .exclude(status__in=PORTAL_INVOICE_EXCLUDED)
        .order_by("-date", "-id")
    )


def portal_invoice_get(*, customer: Customer, public_id: Any) -> Invoice | None:
    return portal_invoices(customer=customer).filter(public_id=public_id).select_related("tenant", "customer").first()


def portal_users_of(*, customer: Customer) -> QuerySet[Any]:
    """The customer's portal users, for the staff customer page."""
    from tenancy.models import User

    return User.objects.filter(tenant_id=customer.tenant_id, customer=customer).order_by("email")
