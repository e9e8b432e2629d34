"""``{{ text|messages_once }}``: Xero's refusal with each message once (for tooltips and short cells)."""

from __future__ import annotations

from django import template

from invoicing.problems import export_messages_split

register = template.Library()


@register.filter
def messages_once(text: str) -> str:
    return "; ".join(export_messages_split(text or ""))
