"""Forms for raising and editing invoices. Validation of business rules stays in the services."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms

from freighttracker.validators import (
    XERO_ACCOUNT_CODE_MAX,
    line_amount_check,
    quantity_validators,
    unit_price_validators,
    validate_single_line,
)
from integrations.xero.selectors import AccountOptions, xero_account_options
from invoicing.models import Invoice, InvoiceLine
from invoicing.services import InvoiceLineChange
from jobs.account_field import account_field_restrict
from tenancy.models import TaxCode, Tenant


class KeyListField(forms.MultipleChoiceField):
    """A list of ids in a fixed shape. Not limited to the rows on the page: a job invoiced in
    another tab since the page loaded is reported as skipped by the service, not as a form error."""

    default_error_messages = {"invalid_choice": "The selection was not understood; reload the page and try again."}

    def __init__(self, *, pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pattern = re.compile(pattern)

    def valid_value(self, value: str) -> bool:
        return bool(self.pattern.fullmatch(str(value)))


class RaiseForm(forms.Form):
    job = KeyListField(pattern=r"[bw]:\d{1,18}", required=False)
    customer = KeyListField(pattern=r"\d{1,18}", required=False)
    # "Raise all": every completed job of the tenant, by each customer's rule (a background run).
    everything = forms.BooleanField(required=False)
    mark_ready = forms.BooleanField(
        required=False,
        initial=True,
        label="Mark ready for export",
        help_text="Raised invoices go straight to Ready to Export. Untick to keep them as drafts to review first.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("job") and not data.get("customer") and not data.get("everything"):
            raise forms.ValidationError("Select at least one job or customer to invoice.")
        return data


class InvoiceHeaderForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["date", "due_date", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


def tax_label(tax_code: TaxCode) -> str:
    return f"{tax_code.code} ({plain_number(tax_code.rate)}%)"


def plain_number(value: Decimal) -> str:
    """10.000 -> "10", 2.500 -> "2.5" (``normalize()`` alone would give "1E+1")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


LINE_INPUT_LABELS = {
    "description": "Description",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "account_code": "Account",
    "tax_code": "Tax",
}


class InvoiceLineForm(forms.Form):
    job_number = ""  # shown beside the row; set by line_formset
    line_id = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(max_length=500, validators=[validate_single_line])
    quantity = forms.DecimalField(max_digits=12, decimal_places=3, validators=quantity_validators)
    unit_price = forms.DecimalField(max_digits=12, decimal_places=2, validators=unit_price_validators)
    account_code = forms.CharField(
        max_length=XERO_ACCOUNT_CODE_MAX,
        validators=[validate_single_line],
        required=False,
        help_text="Blank: the Default sales account.",
    )
    tax_code = forms.ModelChoiceField(queryset=TaxCode.objects.none(), required=False, empty_label="No tax")

    def __init__(
        self, *args: Any, tax_codes: list[TaxCode], account_options: AccountOptions | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if account_options is not None:
            account_field_restrict(form=self, options=account_options, current=self.initial.get("account_code") or "")
        field = self.fields["tax_code"]
        field.queryset = TaxCode.objects.filter(pk__in=[t.pk for t in tax_codes])  # type: ignore[attr-defined]
        # Render from the already loaded list: no query per row.
        field.choices = [("", "No tax"), *[(t.pk, tax_label(t)) for t in tax_codes]]  # type: ignore[attr-defined]
        # The table's column headers are not labels: name every input for screen readers (an
        # attribute, not a <label> element per cell, keeps a forged 500-row page small).
        for name, label in LINE_INPUT_LABELS.items():
            self.fields[name].widget.attrs["aria-label"] = label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            line_amount_check(quantity=data.get("quantity"), unit_price=data.get("unit_price"))
        except forms.ValidationError as exc:
            self.add_error("unit_price", exc)
        return data

    def to_change(self) -> InvoiceLineChange:
        d = self.cleaned_data
        return InvoiceLineChange(
            line_id=d["line_id"],
            description=d["description"],
            quantity=d["quantity"],
            unit_price=d["unit_price"],
            account_code=d.get("account_code") or "",
            tax_code=d["tax_code"],
        )


LineFormSet = forms.formset_factory(InvoiceLineForm, extra=0, can_delete=False, validate_max=True, validate_min=True)


def line_formset(
    *, tenant: Tenant, lines: list[InvoiceLine], job_numbers: dict[int, str] | None = None, data: Any = None
) -> Any:
    """The line rows of the edit page, each starting from the line's current values."""
    tax_codes = list(TaxCode.objects.filter(tenant=tenant))
    by_code = {t.code: t.pk for t in tax_codes}
    initial = [
        {
            "line_id": line.pk,
            "description": line.description,
            "quantity": plain_number(line.quantity),
            "unit_price": line.unit_price,
            "account_code": line.account_code,
            "tax_code": by_code.get(line.tax_code),
        }
        for line in lines
    ]
    form_kwargs = {"tax_codes": tax_codes, "account_options": xero_account_options(tenant=tenant)}
    formset = LineFormSet(data=data, initial=initial, prefix="lines", form_kwargs=form_kwargs)
    # Exactly one row per existing line: a forged TOTAL_FORMS is a form error, not empty rows.
    formset.min_num = formset.max_num = len(lines)
    # ... and only the real rows are built and rendered: a claim beyond them is "too many forms".
    formset.absolute_max = len(lines)
    for form, line in zip(formset.forms, lines, strict=False):
        form.job_number = (job_numbers or {}).get(line.invoice_job_id or 0, "")
    return formset
