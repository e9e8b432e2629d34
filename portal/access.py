"""The portal's one gate: a signed-in customer user, and the customer whose data they may see.

Every portal view is wrapped in :func:`customer_required` and filters every query by
:func:`portal_customer`, so another customer's object (same tenant or another) is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from customers.models import Customer
from tenancy.models import Role

View = Callable[..., HttpResponse]


def customer_required(view: View) -> View:
    """Login required, role "customer", and a customer of the user's own tenant; otherwise 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role != Role.CUSTOMER or user.customer_id is None or getattr(request, "tenant", None) is None:
            raise PermissionDenied("The customer portal is for customer users.")
        return view(request, *args, **kwargs)

    wrapper.allowed_roles = frozenset({Role.CUSTOMER.value})  # type: ignore[attr-defined]
    return wrapper


def portal_customer(request: HttpRequest) -> Customer:
    """The signed-in user's customer, checked against the request's tenant once more."""
    user: Any = request.user
    customer: Customer = user.customer
    if customer.tenant_id != request.tenant.pk:  # type: ignore[attr-defined]
        raise PermissionDenied("This account's customer belongs to another tenant.")
    return customer
