"""User management of a tenant: invite by e-mail, change role, deactivate, reactivate — all audited.

The invitation is Django's own password-reset token (``default_token_generator``): the invited
user has no usable password until they choose one through the link, and the link dies as soon as
they do (the token is bound to the password hash), after ``PASSWORD_RESET_TIMEOUT``, or when the
account is deactivated. ``user_invite`` is reusable: the customer portal invites its users with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from outbox.services import EmailHeaderError, email_queue
from tenancy.models import STAFF_ROLES, Role, Tenant, User, UserChange, UserChangeAction


class UserAdminError(ValueError):
    """A change Settings → Users refuses, with the sentence to show the admin."""


def user_invitation_link(*, user: User) -> str:
    """The set-password link of an invitation (absolute: it travels by e-mail)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{str(settings.SITE_URL).rstrip('/')}{reverse('invite_accept', args=[uid, token])}"


def user_invitation_send(*, user: User, invited_by: User | None) -> None:
    """E-mail the invitation after the transaction commits (never for a rolled-back invite)."""
    context = {
        "user": user,
        "tenant": user.tenant,
        "invited_by": invited_by,
        "link": user_invitation_link(user=user),
        "days": max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 86400),
        "role": Role(user.role).label if user.role in Role.values else user.role,
    }
    # Through the outbox: a row in this transaction (so never for a rolled-back invite), delivered
    # by the worker with retries; a failure shows on the Outgoing e-mail page.
    try:
        email_queue(tenant=user.tenant, to=[user.email], template="invitation", context=context)
    except EmailHeaderError as exc:
        raise UserAdminError("The invitation would carry a line break in an e-mail header (check the names).") from exc


def _record(*, user: User, by: User | None, action: UserChangeAction, old: str = "", new: str = "") -> UserChange:
    assert user.tenant_id is not None
    return UserChange.objects.create(
        tenant_id=user.tenant_id, user=user, changed_by=by, action=action, old_value=old, new_value=new
    )


def user_invite(
    *,
    tenant: Tenant,
    email: str,
    role: str,
    invited_by: User | None,
    full_name: str = "",
    extra_fields: Mapping[str, Any] | None = None,
) -> User:
    """Create the user of ``tenant`` without a usable password and e-mail them a set-password link.

    ``extra_fields`` are further User fields a caller's role needs (the portal's customer).
    E-mail addresses are unique across the whole site: an address in use is refused.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise UserAdminError(f"{role!r} is not a role.")
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise UserAdminError(f"{email} already has an account. Change its role in the list instead.")
        user = User(email=email, tenant=tenant, role=role, full_name=full_name.strip(), **dict(extra_fields or {}))
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        _record(user=user, by=invited_by, action=UserChangeAction.INVITED, new=role)
        user_invitation_send(user=user, invited_by=invited_by)
    return user


def user_invitation_resend(*, user: User, by: User) -> None:
    """A new link for someone who never chose a password (the old one still works until used)."""
    if user.has_usable_password():
        raise UserAdminError(f"{user.email} has already chosen a password; they can reset it from the log-in page.")
    if not user.is_active:
        raise UserAdminError(f"{user.email} is deactivated; reactivate them first.")
    with transaction.atomic():
        _record(user=user, by=by, action=UserChangeAction.INVITE_RESENT)
        user_invitation_send(user=user, invited_by=by)


def _admins_left_without(*, user: User) -> int:
    """Active admins of the user's tenant other than ``user``, counted under row locks so two
    admins demoting each other at the same moment cannot leave the company with none."""
    admins = User.objects.select_for_update().filter(tenant=user.tenant, role=Role.ADMIN, is_active=True)
    return sum(1 for pk in admins.values_list("pk", flat=True) if pk != user.pk)


def _guard_last_admin(*, user: User, doing: str) -> None:
    if user.role == Role.ADMIN and user.is_active and _admins_left_without(user=user) == 0:
        raise UserAdminError(
            f"{user.email} is the last admin of {user.tenant}: make someone else an admin before you {doing}."
        )


def user_role_change(*, user: User, role: str, by: User) -> User:
    """Give a staff member another staff role (the last active admin keeps theirs)."""
    if role not in [str(r) for r in STAFF_ROLES] or user.role not in [str(r) for r in STAFF_ROLES]:
        raise UserAdminError("Only the roles admin, accounts and operations can be given here.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.role == role:
            return locked
        if role != Role.ADMIN:
            _guard_last_admin(user=locked, doing="change this role")
        old = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        _record(user=locked, by=by, action=UserChangeAction.ROLE_CHANGED, old=old, new=role)
    return locked


def user_deactivate(*, user: User, by: User) -> User:
    """Stop a user from logging in (their sessions end at their next request); rows they made stay."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return locked
        _guard_last_admin(user=locked, doing="deactivate this account")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _record(user=locked, by=by, action=UserChangeAction.DEACTIVATED)
    return locked


def user_reactivate(*, user: User, by: User) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            return locked
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _record(user=locked, by=by, action=UserChangeAction.REACTIVATED)
    return locked
