"""Forms of the export pages."""

from __future__ import annotations

from django import forms


class MarkExportedForm(forms.Form):
    """An admin's record that an invoice already is in Xero. Django's CharField refuses NUL bytes."""

    reason = forms.CharField(max_length=1000, strip=True)
    xero_invoice_id = forms.UUIDField(required=False, help_text="The InvoiceID in Xero, if known.")
