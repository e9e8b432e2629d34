"""Search and status filters for invoice lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from invoicing.models import (
    EXPORTABLE_STATUSES,
    UNPAID_PAYMENT_STATUSES,
    Invoice,
    InvoiceJob,
    InvoiceStatus,
    PaymentStatus,
)

PAYMENT_CHOICES = [
    ("unpaid", "Unpaid (awaiting or part paid)"),
    ("overdue", "Unpaid and overdue"),
    (PaymentStatus.AWAITING.value, "Awaiting payment"),
    (PaymentStatus.PART_PAID.value, "Part paid"),
    (PaymentStatus.PAID.value, "Paid"),
    (PaymentStatus.VOIDED.value, "Voided in Xero"),
]


class InvoiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices, empty_label="All statuses")
    payment = django_filters.ChoiceFilter(
        choices=PAYMENT_CHOICES, method="by_payment", empty_label="Any payment status", label="Payment"
    )

    class Meta:
        model = Invoice
        fields: list[str] = []

    def by_payment(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        """Payment status as read back from Xero; "overdue" = unpaid and due before today (tenant's zone)."""
        if value in ("unpaid", "overdue"):
            queryset = queryset.filter(payment_status__in=UNPAID_PAYMENT_STATUSES)
            return queryset.filter(due_date__lt=timezone.localdate()) if value == "overdue" else queryset
        return queryset.filter(payment_status=value)

    def search(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        """Invoice number, customer name or code, or a job number / customer reference on the invoice."""
        value = value.strip()
        if not value:
            return queryset
        on_a_job = InvoiceJob.objects.filter(invoice=OuterRef("pk")).filter(
            Q(customer_reference__icontains=value) | Q(job_number__icontains=value)
        )
        return queryset.filter(
            Q(number__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(customer__code__icontains=value)
            | Exists(on_a_job)
        )


class ReadyInvoiceFilter(InvoiceFilter):
    """Ready to Export only offers the statuses that page shows."""

    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in InvoiceStatus if s in EXPORTABLE_STATUSES],
        empty_label="Ready and failed",
    )
    payment = None  # nothing on Ready to Export has been paid in Xero
