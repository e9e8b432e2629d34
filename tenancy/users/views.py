"""Settings → Users (admins only) and the public page where an invited person chooses a password."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from tenancy.models import STAFF_ROLES, User
from tenancy.scoping import ADMIN_ONLY, request_tenant, role_required, tenant_get_object_or_404
from tenancy.users import selectors, services
from tenancy.users.forms import InviteForm, RoleForm


def _page(request: HttpRequest, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    tenant = request_tenant(request)
    context = {
        "users": selectors.users_staff(tenant=tenant),
        "changes": selectors.user_changes(tenant=tenant),
        "invite_form": invite_form,
        "role_choices": RoleForm().fields["role"].choices,  # type: ignore[attr-defined]
    }
    return render(request, "tenancy/users/list.html", context, status=status)


@require_GET
@role_required(*ADMIN_ONLY)
def users_view(request: HttpRequest) -> HttpResponse:
    return _page(request, InviteForm())


@require_POST
@role_required(*ADMIN_ONLY)
def user_invite_view(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            user = services.user_invite(
                tenant=request_tenant(request),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
                invited_by=request.user,  # type: ignore[arg-type]
            )
        except services.UserAdminError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {user.email}. The link works once, for a few days.")
            return redirect("users:list")
    return _page(request, form, status=400)


def _staff_member(request: HttpRequest, pk: int) -> User:
    """A staff user of this tenant, or 404 (another tenant's user or a portal user alike)."""
    return tenant_get_object_or_404(request, User.objects.filter(role__in=[str(r) for r in STAFF_ROLES]), pk=pk)


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    user = _staff_member(request, pk)
    try:
        action(user)
    except services.UserAdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done.format(email=user.email))
    return redirect("users:list")


@require_POST
@role_required(*ADMIN_ONLY)
def user_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        _staff_member(request, pk)  # 404 first for someone else's user
        messages.error(request, "Choose one of the roles admin, accounts or operations.")
        return redirect("users:list")
    role = form.cleaned_data["role"]
    by: User = request.user  # type: ignore[assignment]
    return _act(
        request,
        pk,
        lambda u: services.user_role_change(user=u, role=role, by=by),
        "{email} now has the role " + role + ".",
    )


@require_POST
@role_required(*ADMIN_ONLY)
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    by: User = request.user  # type: ignore[assignment]
    return _act(request, pk, lambda u: services.user_deactivate(user=u, by=by), "{email} can no longer log in.")


@require_POST
@role_required(*ADMIN_ONLY)
def user_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    by: User = request.user  # type: ignore[assignment]
    return _act(request, pk, lambda u: services.user_reactivate(user=u, by=by), "{email} can log in again.")


@require_POST
@role_required(*ADMIN_ONLY)
def user_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    by: User = request.user  # type: ignore[assignment]
    return _act(
        request,
        pk,
        lambda u: services.user_invitation_resend(user=u, by=by),
        "A new invitation is on its way to {email}.",
    )


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation's set-password page: Django's reset-confirm view, worded as a welcome, refusing
    deactivated accounts."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"invitation": True}

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None
