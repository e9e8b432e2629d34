"""Settings → Integration → Authentication → Xero: connect, choose an organisation, disconnect, settings.

Thin views: every decision is in services.py / selectors.py. Admins only (role_required); everything
is read for ``request.tenant`` only.
"""

from __future__ import annotations

import logging

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrations.xero import selectors, services
from integrations.xero.changes import xero_settings_change_rows
from integrations.xero.exceptions import XeroError, XeroStateInvalid
from integrations.xero.forms import XeroSettingsForm
from integrations.xero.models import XeroPendingAuthorisation
from tenancy.scoping import ADMIN_ONLY, request_tenant, role_required

logger = logging.getLogger(__name__)


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


@role_required(*ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    instance = services.xero_settings_get(tenant=tenant)
    choices = selectors.xero_org_choices(tenant=tenant)
    form = XeroSettingsForm(request.POST or None, tenant=tenant, instance=instance, choices=choices)
    if request.method == "POST" and form.is_valid():
        changes = services.xero_settings_update(tenant=tenant, user=request.user, data=form.settings_data())  # type: ignore[arg-type]
        if changes:
            messages.success(request, f"Xero settings saved ({len(changes)} change{'s' if len(changes) != 1 else ''}).")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("xero:settings")
    connection = selectors.xero_connection_get(tenant=tenant)
    context = {
        "connection": connection,
        "health": selectors.xero_token_health(connection=connection) if connection else None,
        "form": form,
        "choices_fetched_at": selectors.xero_org_choices_fetched_at(tenant=tenant),
        "changes": xero_settings_change_rows(tenant=tenant, limit=20),
    }
    return render(request, "xero/settings.html", context)


@role_required(*ADMIN_ONLY)
@require_POST
def connect(request: HttpRequest) -> HttpResponse:
    if not (django_settings.XERO_CLIENT_ID and django_settings.XERO_CLIENT_SECRET):
        messages.error(request, "Xero is not configured on this server (XERO_CLIENT_ID / XERO_CLIENT_SECRET).")
        return redirect("xero:settings")
    url = services.xero_authorisation_start(
        tenant=request_tenant(request),
        user=request.user,  # type: ignore[arg-type]
        session_key=_session_key(request),
    )
    return redirect(url)


@role_required(*ADMIN_ONLY)
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        outcome = services.xero_authorisation_complete(
            tenant=request_tenant(request),
            user=request.user,  # type: ignore[arg-type]
            session_key=_session_key(request),
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            error_description=request.GET.get("error_description", ""),
        )
    except XeroStateInvalid as exc:
        logger.warning("Rejected Xero callback for user %s: %s", request.user.pk, exc)
        raise PermissionDenied(
            "This Xero authorisation is not valid (unknown, expired or already used). Nothing was saved."
        ) from exc
    if outcome.kind == "choose":
        return redirect("xero:choose", pending_id=outcome.pending_id)
    if outcome.kind == "connected":
        messages.success(request, outcome.message)
    elif outcome.kind == "denied":
        messages.warning(request, outcome.message)
    else:
        messages.error(request, outcome.message)
    return redirect("xero:settings")


@role_required(*ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest, pending_id: int) -> HttpResponse:
    tenant, session_key = request_tenant(request), _session_key(request)
    try:
        pending = selectors.xero_pending_choice_get(
            tenant=tenant,
            user=request.user,  # type: ignore[arg-type]
            session_key=session_key,
            pending_id=pending_id,
        )
    except XeroPendingAuthorisation.DoesNotExist as exc:
        raise Http404("No organisation choice is waiting (expired or already made).") from exc
    error = ""
    if request.method == "POST":
        try:
            connection = services.xero_authorisation_choose(
                tenant=tenant,
                user=request.user,  # type: ignore[arg-type]
                session_key=session_key,
                pending_id=pending.pk,
                xero_tenant_id=request.POST.get("xero_tenant_id", ""),
            )
        except ValueError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Connected to the Xero organisation “{connection.organisation_name}”.")
            if not selectors.xero_org_choices_fetched_at(tenant=tenant):
                messages.warning(request, "Its accounts and tax rates could not be read yet: use “Refresh choices”.")
            return redirect("xero:settings")
    return render(request, "xero/choose.html", {"organisations": pending.organisations, "error": error})


@role_required(*ADMIN_ONLY)
@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    told_xero = services.xero_connection_disconnect(tenant=request_tenant(request), user=request.user)  # type: ignore[arg-type]
    if told_xero:
        messages.success(request, "Disconnected from Xero.")
    else:
        messages.warning(
            request,
            "Disconnected here, but Xero could not be reached to remove the connection. "
            "Remove the app in Xero under Settings → Connected apps if it is still listed.",
        )
    return redirect("xero:settings")


@role_required(*ADMIN_ONLY)
@require_POST
def refresh_choices(request: HttpRequest) -> HttpResponse:
    try:
        services.xero_org_cache_refresh(tenant=request_tenant(request))
    except XeroError as exc:
        messages.error(request, f"Could not read choices from Xero: {exc}")
    except Exception as exc:  # the SDK's ApiException family and urllib3 errors
        logger.warning("Reading Xero choices failed: %s", exc)
        messages.error(request, "Xero did not answer; the previous choices are kept. Try again later.")
    else:
        messages.success(request, "Choices refreshed from Xero.")
    return redirect("xero:settings")
