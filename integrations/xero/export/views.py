"""Export pages (thin: services do the work). Placeholder views; the full versions follow."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tenancy.scoping import ADMIN_ONLY, INVOICE_ROLES, role_required


@require_POST
@role_required(*INVOICE_ROLES)
def export_start_view(request: HttpRequest) -> HttpResponse:
    return redirect("xero_export:history")


@role_required(*INVOICE_ROLES)
def export_history_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Export history")


@role_required(*INVOICE_ROLES)
def export_run_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return HttpResponse("Export run")


@role_required(*INVOICE_ROLES)
def export_run_progress_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return HttpResponse("")


@require_POST
@role_required(*ADMIN_ONLY)
def invoice_mark_exported_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return redirect("xero_export:history")
