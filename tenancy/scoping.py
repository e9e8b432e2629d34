"""The one place that ties a request to its tenant and its role.

Every view fetches its objects through :func:`tenant_get_object_or_404` or filters with
:func:`tenant_queryset`, so another tenant's object is indistinguishable from a missing one (404).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from tenancy.models import Role, Tenant

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def request_tenant(request: HttpRequest) -> Tenant:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        raise Http404("No tenant for this user")
    return tenant


def tenant_queryset(request: HttpRequest, model_or_qs: type[M] | QuerySet[M]) -> QuerySet[M]:
    """Restrict a model or queryset to the request's tenant."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    return qs.filter(tenant=request_tenant(request))


def tenant_get_object_or_404(request: HttpRequest, model_or_qs: type[M] | QuerySet[M], **lookup: Any) -> M:
    """The object of this tenant, or 404 — also when it exists for another tenant."""
    return get_object_or_404(tenant_queryset(request, model_or_qs), **lookup)


def role_required(*roles: Role | str) -> Callable[[View], View]:
    """Login required, a tenant required, and the user's role among ``roles``; otherwise 403."""
    allowed: Iterable[str] = {str(r) for r in roles}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "tenant", None) is None:
                raise PermissionDenied("This account does not belong to a tenant.")
            if user.role not in allowed:  # type: ignore[union-attr]
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorator


ANY_ROLE = (Role.ADMIN, Role.ACCOUNTS, Role.OPERATIONS)
INVOICE_ROLES = (Role.ADMIN, Role.ACCOUNTS)
ADMIN_ONLY = (Role.ADMIN,)
