"""Export pages: start a run, watch it live, the history with attempts, mark exported by hand."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from integrations.xero.export import selectors
from integrations.xero.export.forms import MarkExportedForm
from integrations.xero.export.preflight import PREFLIGHT_HELD
from integrations.xero.export.services import (
    MarkExportedError,
    export_run_start,
    invoice_mark_exported,
)
from integrations.xero.models import ExportRun, ExportTrigger, XeroConnection
from invoicing.models import EXPORTABLE_STATUSES, Invoice
from tenancy.scoping import (
    ADMIN_ONLY,
    INVOICE_ROLES,
    request_tenant,
    role_required,
    tenant_get_object_or_404,
    tenant_queryset,
)

OUTCOMES_PER_PAGE = 100


@require_POST
@role_required(*INVOICE_ROLES)
def export_start_view(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    back = reverse("invoicing:ready")
    conn = XeroConnection.objects.filter(tenant=tenant).first()
    if conn is None or not conn.is_usable:
        messages.error(request, "Xero is not connected (or needs reconnecting): an admin must connect it first.")
        return redirect(back)
    if request.POST.get("all") == "1":
        ids = None
    else:
        public_ids = []
        for raw in request.POST.getlist("invoice"):
            try:
                public_ids.append(UUID(raw))
            except ValueError:
                continue
        ids = list(
            tenant_queryset(request, Invoice)
            .filter(public_id__in=public_ids, status__in=EXPORTABLE_STATUSES)
            .values_list("id", flat=True)
        )
        if not ids:
            messages.error(request, "Select at least one invoice that is ready to export.")
            return redirect(back)
    run = export_run_start(
        tenant=tenant,
        trigger=ExportTrigger.MANUAL,
        user=request.user,  # type: ignore[arg-type]
        invoice_ids=ids,
        retry_failed=ids is None,
    )
    if run.message.startswith(PREFLIGHT_HELD):  # not sent: Xero would refuse them (flagged on the list)
        messages.warning(request, run.message)
    if not run.total_count:
        if not run.message.startswith(PREFLIGHT_HELD):
            messages.info(request, "Nothing to export: no invoice is ready or failed.")
        return redirect(back)
    count = f"{run.total_count} invoice{'s' if run.total_count != 1 else ''}"
    # Queued after commit; if the queue was unreachable the run says so (and recovery queues it later).
    run.refresh_from_db(fields=["queue_unreachable_at"])
    if run.queue_unreachable_at is None:
        messages.success(request, f"Export started: {count}.")
    else:
        messages.warning(
            request,
            f"Export saved ({count}), but the background queue cannot be reached right now. It starts by "
            "itself within about a minute of the queue coming back; nothing is sent twice.",
        )
    return redirect("xero_export:run", public_id=run.public_id)


def _run_context(request: HttpRequest, run: ExportRun) -> dict[str, object]:
    page = Paginator(selectors.export_run_invoices(run=run), OUTCOMES_PER_PAGE).get_page(request.GET.get("page"))
    for inv in page.object_list:
        inv.xero_link = selectors.xero_invoice_link(inv.xero_invoice_id)  # type: ignore[attr-defined]
    selectors.export_run_problems_attach(run=run, invoices=list(page.object_list))
    return {
        "run": run,
        "progress": selectors.export_run_progress(run=run),
        "stall_notice": selectors.export_run_stall_notice(run=run),
        "page_obj": page,
        "invoices": page.object_list,
        "is_admin": getattr(request.user, "role", "") == "admin",
    }


@role_required(*INVOICE_ROLES)
def export_run_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    run = tenant_get_object_or_404(
        request, ExportRun.objects.select_related("requested_by", "tenant"), public_id=public_id
    )
    return render(request, "xero_export/run.html", _run_context(request, run))


@role_required(*INVOICE_ROLES)
def export_run_progress_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The live part of the run page; htmx polls it until the run is done (then it stops polling)."""
    run = tenant_get_object_or_404(
        request, ExportRun.objects.select_related("requested_by", "tenant"), public_id=public_id
    )
    return render(request, "xero_export/_run_progress.html", _run_context(request, run))


@role_required(*INVOICE_ROLES)
def export_history_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.export_runs(tenant=request_tenant(request)), 25).get_page(request.GET.get("page"))
    return render(request, "xero_export/history.html", {"page_obj": page, "runs": page.object_list})


@role_required(*INVOICE_ROLES)
def export_run_attempts_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    run = tenant_get_object_or_404(request, ExportRun, public_id=public_id)
    page = Paginator(selectors.export_run_attempts(run=run), 50).get_page(request.GET.get("page"))
    return render(request, "xero_export/attempts.html", {"run": run, "page_obj": page, "attempts": page.object_list})


@require_POST
@role_required(*ADMIN_ONLY)
def invoice_mark_exported_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    invoice = tenant_get_object_or_404(request, Invoice, public_id=public_id)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("invoicing:detail", args=[invoice.public_id])
    form = MarkExportedForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items())
        messages.error(request, f"Invoice {invoice.number} was not marked exported — {problems}")
        return redirect(back)
    xero_id = form.cleaned_data["xero_invoice_id"]
    try:
        invoice_mark_exported(
            invoice=invoice,
            user=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            xero_invoice_id=str(xero_id) if xero_id else "",
        )
    except MarkExportedError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"Invoice {invoice.number} marked as exported.")
    return redirect(back)
