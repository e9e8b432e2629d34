"""Times written into stored text (notes, messages) in the tenant's zone, labelled with its name."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from tenancy.models import Tenant


def tenant_time_text(*, tenant: Tenant | None, moment: dt.datetime) -> str:
    """``2026-01-01 11:00 AEDT``: where a template cannot convert (text saved for later display)."""
    try:
        zone = zoneinfo.ZoneInfo(tenant.timezone if tenant and tenant.timezone else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
