"""``{% customer_portal_users customer %}``: the customer page's portal users and invite form."""

from __future__ import annotations

from typing import Any

from django import template

from customers.models import Customer
from portal.forms import PortalInviteForm
from portal.selectors import portal_users_of

register = template.Library()


@register.inclusion_tag("portal/_customer_users_panel.html", takes_context=True)
def customer_portal_users(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    return {
        "customer": customer,
        "portal_users": list(portal_users_of(customer=customer)),
        "form": PortalInviteForm(),
        "csrf_token": context.get("csrf_token"),
    }
