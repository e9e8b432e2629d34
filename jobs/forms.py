"""Forms shared by bookings and warehouse jobs: the job form base and the charge-line formset."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.models import BaseInlineFormSet, inlineformset_factory

from customers.models import Customer
from freighttracker.validators import line_amount_check, total_check
from integrations.xero.selectors import AccountOptions, xero_account_options
from jobs.account_field import account_field_restrict
from jobs.models import ChargeLine, Direction, Job
from jobs.services import ChargeData, job_statuses_allowed
from tenancy.models import TaxCode, Tenant

CHARGE_FIELDS = ("description", "quantity", "unit_price", "account_code", "tax_code")


class JobForm(forms.ModelForm):
    """Base for the booking and warehouse job forms.

    Customer choices come from the tenant only, and status choices from the job's place in its
    flow (see ``jobs.services.job_statuses_allowed``), so "invoiced" can never be picked.
    """

    status_flow: Sequence[str] = ()

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["customer"].queryset = Customer.objects.filter(tenant=tenant).order_by("name")  # type: ignore[attr-defined]
        current = self.instance.status if self.instance.pk else None  # type: ignore[attr-defined]
        allowed = job_statuses_allowed(flow=self.status_flow, current=current)
        labels = dict(self._meta.model._meta.get_field("status").choices)  # type: ignore[union-attr, arg-type]
        self.fields["status"].choices = [(value, labels[value]) for value in allowed]  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
            if name == "customer_reference":
                field.widget.attrs.setdefault("placeholder", "Customer's PO or job number")
        if "direction" in self.fields:
            # Older clients (and the bulk upload) may leave it out: keep the job's direction then.
            self.fields["direction"].required = False

    def clean_direction(self) -> str:
        value = self.cleaned_data.get("direction")
        return str(value or getattr(self.instance, "direction", "") or Direction.EXPORT)


def _tax_label(tax_code: TaxCode) -> str:
    """``GST 10%`` rather than the model's ``GST (1E+1%)`` from ``Decimal.normalize()``."""
    return f"{tax_code.code} {format(tax_code.rate.normalize(), 'f')}%"


# A job rarely has more than a handful of charges; the cap keeps a forged TOTAL_FORMS from making
# the server build, validate and render thousands of forms.
MAX_CHARGE_LINES = 100
STALE_LINE = "This charge line is no longer on the job (it was changed elsewhere). Reload the page and try again."


class ChargeLineForm(forms.ModelForm):
    def __init__(
        self,
        *args: Any,
        tenant: Tenant,
        tax_codes: list[TaxCode] | None = None,
        account_options: AccountOptions | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        tax_field = self.fields["tax_code"]
        tax_field.queryset = TaxCode.objects.filter(tenant=tenant)  # type: ignore[attr-defined]
        tax_field.empty_label = "No tax"  # type: ignore[attr-defined]
        tax_field.label_from_instance = _tax_label  # type: ignore[attr-defined]
        if tax_codes is not None:
            # Fixed choices from the formset's one query, instead of one query per rendered row;
            # validation still looks the submitted id up in the tenant's queryset.
            tax_field.choices = [("", "No tax"), *((tc.pk, _tax_label(tc)) for tc in tax_codes)]  # type: ignore[attr-defined]
        if not self.instance.pk and tenant.default_tax_code_id:
            self.fields["tax_code"].initial = tenant.default_tax_code_id
        self.fields["account_code"].widget.attrs.setdefault("placeholder", "Default sales account")
        if account_options is not None:
            account_field_restrict(form=self, options=account_options, current=self.instance.account_code)
        self.fields["quantity"].widget.attrs.setdefault("step", "any")


class BaseChargeFormSet(BaseInlineFormSet):
    """Charge lines of one job. ``charge_data()`` gives the service what to save, in order."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if "tenant" in kwargs and not hasattr(self, "_tax_codes"):
            self._tax_codes = list(TaxCode.objects.filter(tenant=kwargs["tenant"]))
        if hasattr(self, "_tax_codes"):
            kwargs["tax_codes"] = self._tax_codes
        if "tenant" in kwargs and not hasattr(self, "_account_options"):
            self._account_options = xero_account_options(tenant=kwargs["tenant"])
        if hasattr(self, "_account_options"):
            kwargs["account_options"] = self._account_options
        return kwargs

    def clean(self) -> None:
        super().clean()
        amounts = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or (not form.has_changed() and not form.instance.pk):
                continue
            quantity, unit_price = data.get("quantity"), data.get("unit_price")
            try:
                line_amount_check(quantity=quantity, unit_price=unit_price)
            except forms.ValidationError:
                return  # the line's own error says it; a total of bad lines would only confuse
            if quantity is None or unit_price is None:
                return
            amounts.append(quantity * unit_price)
        total_check(total=sum(amounts, Decimal("0")), what="The charges")

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:  # type: ignore[type-arg]
        super().add_fields(form, index)
        # Django checks a submitted charge id against every charge in the table, so another
        # tenant's id passed and a missing one did not: an oracle for which ids exist. Only this
        # job's own lines are valid, and every other id gets one answer.
        field = form.fields.get(self.model._meta.pk.name)  # type: ignore[union-attr]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = self.get_queryset()
            field.error_messages["invalid_choice"] = STALE_LINE

    def get_queryset(self) -> Any:
        # One query with the tax codes, whatever the number of lines.
        return super().get_queryset().select_related("tax_code")

    def charge_data(self) -> list[ChargeData]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or (not form.has_changed() and not form.instance.pk):
                continue
            rows.append(ChargeData(**{name: data.get(name) for name in CHARGE_FIELDS}))
        return rows


def charge_formset_class(charge_model: type[ChargeLine]) -> type[BaseChargeFormSet]:
    """The one formset used by bookings and warehouse jobs alike."""
    parent: type[Job] = charge_model._meta.get_field("job").related_model  # type: ignore[assignment, misc]
    return inlineformset_factory(  # type: ignore[return-value]
        parent,
        charge_model,
        form=ChargeLineForm,
        formset=BaseChargeFormSet,
        fields=CHARGE_FIELDS,
        extra=1,
        can_delete=True,
        max_num=MAX_CHARGE_LINES,
        absolute_max=MAX_CHARGE_LINES,
        validate_max=True,
        widgets={"description": forms.TextInput(attrs={"placeholder": "e.g. Linehaul Sydney to Melbourne"})},
    )
