"""``{{ amount|money:currency }}`` → ``AUD 12,345.50``: every money cell says its currency and groups
thousands, whatever the locale settings (the grouping is explicit, not USE_THOUSAND_SEPARATOR)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value: object, currency: str = "") -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text
