"""The "Xero needs reconnecting" banner for users of the tenant who work with invoices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.xero.selectors import RECONNECT_BANNER, xero_exports_paused


def xero_banners(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if tenant is None or user is None or not user.is_authenticated or not getattr(user, "can_see_invoices", False):
        return {}
    if not xero_exports_paused(tenant=tenant):
        return {}
    return {"banners": [RECONNECT_BANNER]}
