from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from customers.models import Customer
from customers.selectors import customer_search
from customers.services import customer_code_taken
from tenancy.currencies import currency_choices, currency_is_iso
from tenancy.models import Tenant


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "code",
            "email",
            "billing_address",
            "payment_terms_days",
            "currency",
            "invoicing_rule",
            "consolidation_schedule",
            "send_reference",
        ]
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 3}), "currency": forms.Select()}
        help_texts = {
            "consolidation_schedule": "For consolidated invoicing: raise on demand, or weekly / monthly.",
            "send_reference": "Whether the customer reference is sent with this customer's invoices.",
        }

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        if not self.instance.pk:
            self.fields["currency"].initial = tenant.base_currency
        self.fields["currency"].widget.choices = currency_choices()  # type: ignore[attr-defined]
        self.fields["currency"].help_text = "Invoices to this customer are raised and sent to Xero in it."

    def clean_code(self) -> str:
        """The unique-per-tenant rule, as a form error rather than a database error."""
        code: str = self.cleaned_data["code"].strip()
        if customer_code_taken(tenant=self.tenant, code=code, exclude_pk=self.instance.pk):
            raise forms.ValidationError(f"Another customer already uses the code {code!r}.")
        return code

    def clean_currency(self) -> str:
        currency: str = self.cleaned_data["currency"].strip().upper()
        if not currency_is_iso(currency):
            raise forms.ValidationError(
                f"“{currency[:10]}” is not an ISO 4217 currency code; choose one from the list."
            )
        return currency


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, code or email"}),
    )

    class Meta:
        model = Customer
        fields = ["invoicing_rule"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["invoicing_rule"].extra["empty_label"] = "Any invoicing rule"

    def filter_q(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return customer_search(queryset=queryset, text=value)
