"""Reads for customers."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from bookings.models import Booking
from customers.models import Customer
from tenancy.models import Tenant
from warehouse.models import WarehouseJob

RECENT_JOBS = 10


def customer_list(*, tenant: Tenant) -> QuerySet[Customer]:
    return Customer.objects.filter(tenant=tenant).order_by("name")


def customer_search(*, queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__icontains=text) | Q(code__icontains=text) | Q(email__icontains=text))


AUTOCOMPLETE_LIMIT = 20


def customer_autocomplete(*, tenant: Tenant, text: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Customer]:
    """Customers whose name or code contains ``text`` (trigram-indexed), by name; a few at most.

    What the filter bars offer instead of a ``<select>`` of every customer.
    """
    text = text.strip()[:100]
    queryset = Customer.objects.filter(tenant=tenant).order_by("name", "pk")
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return list(queryset[:limit])


def customer_recent_bookings(*, customer: Customer) -> list[Booking]:
    return list(Booking.objects.filter(tenant=customer.tenant, customer=customer).order_by("-id")[:RECENT_JOBS])


def customer_recent_warehouse_jobs(*, customer: Customer) -> list[WarehouseJob]:
    qs = WarehouseJob.objects.filter(tenant=customer.tenant, customer=customer).order_by("-id")
    return list(qs[:RECENT_JOBS])


def customer_job_counts(*, customer: Customer) -> dict[str, int]:
    """How many jobs the customer has and how many wait to be invoiced."""
    result: dict[str, int] = {}
    for label, model in (("bookings", Booking), ("warehouse_jobs", WarehouseJob)):
        counts = model.objects.filter(tenant=customer.tenant, customer=customer).aggregate(
            total=Count("id"), completed=Count("id", filter=Q(status="completed"))
        )
        result[label] = counts["total"]
        result[f"{label}_completed"] = counts["completed"]
    return result
