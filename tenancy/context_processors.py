from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def tenancy(request: HttpRequest) -> dict[str, Any]:
    """Expose the tenant and role flags the navigation needs."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "tenant": getattr(request, "tenant", None),
        "is_admin": authenticated and user.role == "admin",  # type: ignore[union-attr]
        "can_see_invoices": authenticated and user.role in ("admin", "accounts"),  # type: ignore[union-attr]
    }
