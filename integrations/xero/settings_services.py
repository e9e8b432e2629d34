"""Xero settings of a tenant (with one audit row per changed field) and the organisation choices cache."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations.xero.client import xero_accounting_api, xero_call_kwargs, xero_read_refreshing
from integrations.xero.exceptions import XeroNotConnected
from integrations.xero.models import XeroConnection, XeroOrgCache, XeroSettings, XeroSettingsChange
from tenancy.models import Tenant, User

logger = logging.getLogger(__name__)

#: Fields an admin may change through :func:`xero_settings_update`, in display order.
SETTINGS_FIELDS = (
    "send_customer_reference",
    "reference_rule",
    "default_account_code",
    "tax_type_map",
    "tracking",
    "branding_theme_id",
    "invoice_status",
    "line_amount_type",
    "nightly_export_enabled",
    "nightly_export_time",
)

ORG_KINDS = ("accounts", "tax_rates", "tracking_categories", "branding_themes", "currencies")


def xero_settings_get(*, tenant: Tenant) -> XeroSettings:
    """The tenant's settings, created with the defaults on first use."""
    settings_row, _ = XeroSettings.objects.get_or_create(tenant=tenant)
    return settings_row


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if value is None:
        return ""
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return value.strftime("%H:%M")
    return str(value)


def xero_settings_update(*, tenant: Tenant, user: User, data: dict[str, Any]) -> list[XeroSettingsChange]:
    """Apply ``data`` (model field → new value) and record one audit row per field that changed."""
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a Xero setting: {', '.join(sorted(unknown))}")
    now = timezone.now()
    with transaction.atomic():
        xero_settings_get(tenant=tenant)
        row = XeroSettings.objects.select_for_update().get(tenant=tenant)
        changes = []
        for name in SETTINGS_FIELDS:
            if name not in data:
                continue
            old, new = getattr(row, name), data[name]
            if _display(old) == _display(new):
                continue
            setattr(row, name, new)
            changes.append(
                XeroSettingsChange(
                    tenant=tenant,
                    changed_by=user,
                    changed_at=now,
                    field=name,
                    old_value=_display(old),
                    new_value=_display(new),
                )
            )
        if changes:
            row.full_clean()
            row.save()
            XeroSettingsChange.objects.bulk_create(changes)
    return changes


#: The audit row's ``field`` for Connect and Disconnect (not a settings field).
CONNECTION_FIELD = "connection"


def xero_connection_change_record(*, tenant: Tenant, user: User | None, old: str, new: str) -> XeroSettingsChange:
    """Connect and Disconnect join the settings' audit trail (Recent changes): who, when, which org."""
    return XeroSettingsChange.objects.create(
        tenant=tenant, changed_by=user, field=CONNECTION_FIELD, old_value=old[:1000], new_value=new[:1000]
    )


def _enum_value(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


def _number(value: Any) -> float | None:
    """JSONField-safe number (the SDK gives Decimal)."""
    return None if value is None else float(value)


def xero_org_cache_refresh(*, tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Read Accounts, TaxRates, TrackingCategories, BrandingThemes and Currencies from the organisation.

    Raises XeroNotConnected, XeroReconnectRequired, or the SDK's ApiException family on HTTP errors;
    the cache is only replaced when all five reads succeeded. The export's pre-flight check
    (export/preflight.py) compares invoices with these lists.
    """
    connection = XeroConnection.objects.filter(tenant=tenant).first()
    if connection is None:
        raise XeroNotConnected("Connect Xero first.")
    api = xero_accounting_api(connection=connection)
    tid = connection.xero_tenant_id
    kwargs = xero_call_kwargs()

    def read(fn: Any) -> Any:
        return xero_read_refreshing(connection_id=connection.pk, call=lambda: fn(tid, **kwargs))

    accounts = read(api.get_accounts).accounts or []
    tax_rates = read(api.get_tax_rates).tax_rates or []
    categories = read(api.get_tracking_categories).tracking_categories or []
    themes = read(api.get_branding_themes).branding_themes or []
    # Xero docs: https://developer.xero.com/documentation/api/accounting/currencies (enabled currencies)
    currencies = read(api.get_currencies).currencies or []
    data: dict[str, list[dict[str, Any]]] = {
        "accounts": [
            {
                "code": a.code,
                "name": a.name or "",
                "type": _enum_value(a.type),
                "class": _enum_value(a._class),
                "tax_type": a.tax_type or "",
            }
            for a in accounts
            if a.code and _enum_value(a.status) in ("", "ACTIVE")
        ],
        "tax_rates": [
            {
                "tax_type": t.tax_type,
                "name": t.name or "",
                "rate": _number(t.effective_rate if t.effective_rate is not None else t.display_tax_rate),
                "revenue": t.can_apply_to_revenue is not False,
            }
            for t in tax_rates
            if t.tax_type and _enum_value(t.status) in ("", "ACTIVE")
        ],
        "tracking_categories": [
            {
                "id": str(c.tracking_category_id or ""),
                "name": c.name or "",
                "options": [o.name for o in (c.options or []) if o.name and _enum_value(o.status) in ("", "ACTIVE")],
            }
            for c in categories
            if c.name and _enum_value(c.status) in ("", "ACTIVE")
        ],
        "branding_themes": [
            {"id": str(b.branding_theme_id or ""), "name": b.name or ""} for b in themes if b.branding_theme_id
        ],
        "currencies": [
            {"code": _enum_value(c.code), "name": c.description or ""} for c in currencies if _enum_value(c.code)
        ],
    }
    now = timezone.now()
    with transaction.atomic():
        for kind, rows in data.items():
            XeroOrgCache.objects.update_or_create(tenant=tenant, kind=kind, defaults={"data": rows, "fetched_at": now})
    logger.info("Refreshed Xero choices of tenant %s", tenant.pk)
    return data
