"""The list filter shared by bookings and warehouse jobs (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from customers.models import Customer
from jobs.selectors import job_filter_invoiceable, job_search
from tenancy.models import Tenant


class JobFilter(django_filters.FilterSet):
    """Search box ``q``, status, customer and "completed, not invoiced".

    Subclasses set ``Meta.model`` and ``Meta.fields = ["status", "customer"]``.
    """

    q = django_filters.CharFilter(
        method="filter_q",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, customer or customer reference"}),
    )
    invoiceable = django_filters.BooleanFilter(
        method="filter_invoiceable", label="Completed, not invoiced", widget=forms.CheckboxInput
    )
    unread_notes = django_filters.BooleanFilter(
        method="filter_unread_notes", label="Unread customer notes", widget=forms.CheckboxInput
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        # Only validates the chosen id (one query); the page never lists every customer: the
        # filter bar finds them through the customer autocomplete (customers:autocomplete).
        self.filters["customer"].queryset = Customer.objects.filter(tenant=tenant).order_by("name")  # type: ignore[attr-defined]
        self.filters["status"].extra["empty_label"] = "All statuses"
        self.filters["customer"].extra["empty_label"] = "All customers"

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return job_search(queryset=queryset, text=value, tenant=self.tenant)

    def selected_customer(self) -> Customer | None:
        """The customer the list is filtered by, for the filter bar (validated, of this tenant)."""
        if not self.is_bound or not self.form.is_valid():
            return None
        customer: Customer | None = self.form.cleaned_data.get("customer")
        return customer

    def filter_unread_notes(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        from notes.selectors import notes_unread_by_staff

        return queryset.filter(notes_unread_by_staff(model=queryset.model)) if value else queryset

    def filter_invoiceable(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        return job_filter_invoiceable(queryset=queryset) if value else queryset
