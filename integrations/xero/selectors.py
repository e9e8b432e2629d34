"""Reads of the Xero integration: the tenant's connection and its health, cached choices, audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from integrations.xero.models import (
    ConnectionStatus,
    XeroConnection,
    XeroOrgCache,
    XeroPendingAuthorisation,
    XeroSettings,
    XeroSettingsChange,
)
from integrations.xero.tokens import token_refresh_margin
from tenancy.models import Tenant, User

#: Mirrors services.PENDING_TTL (kept here to avoid an import cycle).
_PENDING_TTL = dt.timedelta(minutes=10)

RECONNECT_BANNER = (
    "Xero needs reconnecting — exports are paused. Reconnect in Settings → Integration → Authentication → Xero."
)


def xero_connection_get(*, tenant: Tenant) -> XeroConnection | None:
    return XeroConnection.objects.filter(tenant=tenant).select_related("connected_by").first()


def xero_exports_paused(*, tenant: Tenant) -> bool:
    """True when the tenant's connection needs reconnecting (exports must not run)."""
    return XeroConnection.objects.filter(tenant=tenant, status=ConnectionStatus.NEEDS_RECONNECT).exists()


@dataclass(frozen=True)
class TokenHealth:
    label: str
    expires_at: dt.datetime
    last_refreshed_at: dt.datetime | None
    ok: bool


def xero_token_health(*, connection: XeroConnection) -> TokenHealth:
    """What the settings page shows about the token; never the token itself."""
    now = timezone.now()
    if connection.status != ConnectionStatus.ACTIVE:
        label, ok = "Needs reconnecting", False
    elif connection.access_token_expires_at <= now:
        label, ok = "Access token expired — it is renewed automatically on the next Xero call", True
    elif connection.access_token_expires_at <= now + token_refresh_margin():
        label, ok = "Access token expires soon — it is renewed automatically on the next Xero call", True
    else:
        label, ok = "Healthy", True
    return TokenHealth(
        label=label,
        expires_at=connection.access_token_expires_at,
        last_refreshed_at=connection.last_refreshed_at,
        ok=ok,
    )


def xero_org_choices(*, tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    """Cached Accounts / TaxRates / TrackingCategories / BrandingThemes by kind (empty lists when never read)."""
    choices: dict[str, list[dict[str, Any]]] = {
        "accounts": [],
        "tax_rates": [],
        "tracking_categories": [],
        "branding_themes": [],
        "currencies": [],
    }
    for row in XeroOrgCache.objects.filter(tenant=tenant):
        choices[row.kind] = list(row.data or [])
    return choices


def xero_org_choices_fetched_at(*, tenant: Tenant) -> dt.datetime | None:
    row = XeroOrgCache.objects.filter(tenant=tenant).order_by("fetched_at").first()
    return row.fetched_at if row else None


def xero_settings_changes(*, tenant: Tenant, limit: int = 20) -> QuerySet[XeroSettingsChange]:
    return XeroSettingsChange.objects.filter(tenant=tenant).select_related("changed_by")[:limit]


def xero_pending_choice_get(
    *, tenant: Tenant, user: User, session_key: str, pending_id: int
) -> XeroPendingAuthorisation:
    """The organisation choice waiting for this user in this session, or DoesNotExist (→ 404)."""
    return XeroPendingAuthorisation.objects.get(
        pk=pending_id,
        tenant=tenant,
        user=user,
        session_key_hash=hashlib.sha256(session_key.encode()).hexdigest(),
        used_at__gt=timezone.now() - _PENDING_TTL,
        tokens_encrypted__gt="",
    )


@dataclass(frozen=True)
class AccountOptions:
    """Accounts a charge or invoice line may name, read from the organisation (empty: never read)."""

    choices: list[tuple[str, str]]
    default_label: str  # what a blank account means


def xero_account_options(*, tenant: Tenant) -> AccountOptions:
    """Revenue accounts of the connected organisation for line account selects, and the default's label."""
    row = XeroOrgCache.objects.filter(tenant=tenant, kind="accounts").first()
    accounts = list(row.data or []) if row else []
    revenue = [a for a in accounts if a.get("class") == "REVENUE"] or accounts
    choices = [(a["code"], f"{a['code']} — {a['name']}") for a in revenue]
    default = XeroSettings.objects.filter(tenant=tenant).values_list("default_account_code", flat=True).first() or ""
    names = {a["code"]: a["name"] for a in accounts}
    shown = f"{default} — {names[default]}" if default in names else default or "not chosen yet"
    return AccountOptions(choices=choices, default_label=f"Default sales account ({shown})")
