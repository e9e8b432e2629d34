"""``{{ value|when }}``: a moment in the active (tenant's) time zone, always with the zone's name."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import dateformat, timezone

register = template.Library()

FORMATS = {
    "minutes": "j M Y H:i T",
    "seconds": "j M Y H:i:s T",
    "short": "j M H:i:s T",
}


@register.filter
def when(value: dt.datetime | None, precision: str = "minutes") -> str:
    """``1 Jan 2026 11:00 AEDT``; empty for no value, so ``|default:"—"`` still works after it."""
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, FORMATS.get(precision, FORMATS["minutes"]))
