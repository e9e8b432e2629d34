"""Reads of Settings → Users (all scoped to one tenant)."""

from __future__ import annotations

from django.db.models import QuerySet

from tenancy.models import STAFF_ROLES, Tenant, User, UserChange


def users_staff(*, tenant: Tenant) -> QuerySet[User]:
    """The company's staff, active first, by e-mail (portal users are managed elsewhere)."""
    return User.objects.filter(tenant=tenant, role__in=[str(r) for r in STAFF_ROLES]).order_by("-is_active", "email")


def user_changes(*, tenant: Tenant, limit: int = 30) -> QuerySet[UserChange]:
    return UserChange.objects.filter(tenant=tenant).select_related("user", "changed_by")[:limit]
