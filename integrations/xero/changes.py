"""Recent changes of the Xero settings as a person reads them: labels, not field names; values by
name ("GST → GST on Income (OUTPUT)"), not JSON. The audit rows keep the raw values; only the
display is translated, so old rows read well too."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integrations.xero.models import LineAmountType, ReferenceRule, XeroInvoiceStatus, XeroSettingsChange
from integrations.xero.selectors import xero_org_choices
from integrations.xero.settings_services import CONNECTION_FIELD
from tenancy.models import Tenant, User

LABELS = {
    CONNECTION_FIELD: "Xero connection",
    "send_customer_reference": "Send Customer Reference",
    "reference_rule": "Reference for several jobs",
    "default_account_code": "Default sales account",
    "tax_type_map": "Tax mapping",
    "tracking": "Tracking",
    "branding_theme_id": "Branding theme",
    "invoice_status": "Create invoices as",
    "line_amount_type": "Line amounts",
    "nightly_export_enabled": "Nightly export",
    "nightly_export_time": "Nightly export time",
}
_CHOICES: dict[str, dict[str, str]] = {
    "reference_rule": {str(v): str(label) for v, label in ReferenceRule.choices},
    "invoice_status": {str(v): str(label) for v, label in XeroInvoiceStatus.choices},
    "line_amount_type": {str(v): str(label) for v, label in LineAmountType.choices},
}
_SWITCHES = {"on": "On", "off": "Off", "true": "On", "false": "Off"}


@dataclass(frozen=True)
class ChangeRow:
    changed_at: Any
    changed_by: User | None
    label: str
    old: str
    new: str


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def _value_text(field: str, raw: str, names: dict[str, Callable[[str], str]]) -> str:
    if raw == "" and field != "line_amount_type":
        return ""
    if field in _CHOICES:
        return _CHOICES[field].get(raw, raw)
    if raw.lower() in _SWITCHES and field in ("send_customer_reference", "nightly_export_enabled"):
        return _SWITCHES[raw.lower()]
    name = names.get(field)
    value = _json(raw) if raw[:1] in "[{" else raw
    if isinstance(value, dict):
        if not value:
            return "none"
        lookup = names.get("tax_type", str)
        return ", ".join(f"{k} → {lookup(str(v))}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        if not value:
            return "none"
        return ", ".join(
            f"{item.get('name', '')}: {item.get('option', '')}" if isinstance(item, dict) else str(item)
            for item in value
        )
    return name(str(value)) if name else str(value)


def _names(tenant: Tenant) -> dict[str, Callable[[str], str]]:
    """Look-ups from the organisation's cached lists; an unknown value is shown as it is."""
    choices = xero_org_choices(tenant=tenant)
    accounts = {a.get("code"): a.get("name") for a in choices.get("accounts", [])}
    taxes = {t.get("tax_type"): t.get("name") for t in choices.get("tax_rates", [])}
    themes = {b.get("id"): b.get("name") for b in choices.get("branding_themes", [])}
    return {
        "default_account_code": lambda v: f"{v} — {accounts[v]}" if accounts.get(v) else v,
        "tax_type": lambda v: f"{taxes[v]} ({v})" if taxes.get(v) else v,
        "branding_theme_id": lambda v: themes.get(v) or v,
    }


def xero_settings_change_rows(*, tenant: Tenant, limit: int = 20) -> list[ChangeRow]:
    """The tenant's latest settings changes, Connect and Disconnect included, newest first."""
    rows = XeroSettingsChange.objects.filter(tenant=tenant).select_related("changed_by")[:limit]
    names = _names(tenant)
    return [
        ChangeRow(
            changed_at=row.changed_at,
            changed_by=row.changed_by,
            label=LABELS.get(row.field, row.field.replace("_", " ").capitalize()),
            old=_value_text(row.field, row.old_value, names),
            new=_value_text(row.field, row.new_value, names),
        )
        for row in rows
    ]
