"""Staff page of the outbox: every message of the tenant, failures first, with a Retry button."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from outbox.models import OutboundEmail
from outbox.selectors import email_list
from outbox.services import email_retry
from tenancy.scoping import ANY_ROLE, request_tenant, role_required, tenant_get_object_or_404


@role_required(*ANY_ROLE)
def outbox_list(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    page_obj = Paginator(email_list(tenant=tenant), 50).get_page(request.GET.get("page"))
    with timezone.override(tenant.timezone):
        return render(
            request,
            "outbox/list.html",
            {
                "page_obj": page_obj,
                "rows": page_obj.object_list,
                "querystring_without_page": "",
                "tz_name": tenant.timezone,
            },
        )


@require_POST
@role_required(*ANY_ROLE)
def outbox_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    email = tenant_get_object_or_404(request, OutboundEmail, public_id=public_id)
    if email_retry(email=email):
        messages.success(request, f"“{email.subject}” queued again.")
    else:
        messages.info(request, "Only a failed message can be retried.")
    return redirect("outbox:list")
