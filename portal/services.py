"""Writes of the customer portal: inviting a customer's people (through Settings → Users' invite)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from customers.models import Customer
from tenancy.models import Role, User
from tenancy.users.services import UserAdminError, user_invite


def portal_user_invite(*, customer: Customer, email: str, full_name: str, invited_by: User) -> User:
    """A customer user of ``customer``, e-mailed a set-password link (the same invitation as staff,
    with the role "customer" and the customer it is tied to)."""
    if invited_by.tenant_id != customer.tenant_id or invited_by.role == Role.CUSTOMER:
        raise ValidationError("Choose one of your own customers.")
    try:
        return user_invite(
            tenant=customer.tenant,
            email=email,
            role=Role.CUSTOMER,
            invited_by=invited_by,
            full_name=full_name,
            extra_fields={"customer": customer},
        )
    except UserAdminError as exc:
        raise ValidationError(str(exc)) from exc
