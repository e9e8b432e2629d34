"""Invoicing pages (admin and accounts only). Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bookings.models import Booking
from customers.models import Customer
from integrations.xero.export.preflight import preflight_annotate
from invoicing import raising, selectors, services
from invoicing.forms import InvoiceHeaderForm, RaiseForm, line_formset
from invoicing.models import Invoice, InvoiceJob, InvoiceStatus, RaiseRun
from invoicing.problems import invoice_export_problems
from invoicing.raising import RaiseSelection
from tenancy.scoping import INVOICE_ROLES, request_tenant, role_required, tenant_get_object_or_404, tenant_queryset
from warehouse.models import WarehouseJob

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: QuerySet[Invoice]) -> dict[str, Any]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page_obj": page, "invoices": page.object_list, "querystring_without_page": query.urlencode()}


@role_required(*INVOICE_ROLES)
def invoice_ready_view(request: HttpRequest) -> HttpResponse:
    """Ready to Export: pick invoices and send them to the export engine."""
    tenant = request_tenant(request)
    invoice_filter, qs = selectors.invoices_ready(tenant=tenant, filters=request.GET)
    context = {
        "filter": invoice_filter,
        "exporting": selectors.invoices_exporting_count(tenant=tenant),
        "waiting": selectors.invoices_waiting_counts(tenant=tenant),
        **_page(request, qs),
    }
    selectors.invoices_export_problems_attach(invoices=context["invoices"])
    preflight_annotate(tenant=tenant, invoices=context["invoices"])
    return render(request, "invoicing/ready.html", context)


@role_required(*INVOICE_ROLES)
def invoice_list_view(request: HttpRequest) -> HttpResponse:
    invoice_filter, qs = selectors.invoice_list(tenant=request_tenant(request), filters=request.GET)
    context = {"filter": invoice_filter, **_page(request, qs)}
    return render(request, "invoicing/list.html", context)


def _get_invoice(request: HttpRequest, public_id: UUID) -> Invoice:
    return tenant_get_object_or_404(request, selectors.invoice_detail_queryset(), public_id=public_id)


@role_required(*INVOICE_ROLES)
def invoice_detail_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    invoice = _get_invoice(request, public_id)
    context = {
        "invoice": invoice,
        "job_groups": selectors.invoice_lines_by_job(invoice=invoice),
        "export_messages": selectors.invoice_export_messages(invoice=invoice),
        "export_problems": invoice_export_problems(invoice=invoice),
        "can_void": invoice.status in services.VOIDABLE_STATUSES,
    }
    return render(request, "invoicing/detail.html", context)


@role_required(*INVOICE_ROLES)
def invoice_edit_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    invoice = _get_invoice(request, public_id)
    detail_url = reverse("invoicing:detail", args=[invoice.public_id])
    if not invoice.is_editable:
        messages.error(
            request, f"Invoice {invoice.number} is {invoice.get_status_display().lower()} and cannot be edited."
        )
        return redirect(detail_url)
    lines = list(invoice.lines.all())
    data = request.POST if request.method == "POST" else None
    header = InvoiceHeaderForm(data, instance=invoice)
    job_numbers = {ij.pk: ij.job_number for ij in invoice.invoice_jobs.all()}
    formset = line_formset(tenant=request_tenant(request), lines=lines, job_numbers=job_numbers, data=data)
    if request.method == "POST" and header.is_valid() and formset.is_valid():
        try:
            services.invoice_update(
                invoice=invoice,
                date=header.cleaned_data["date"],
                due_date=header.cleaned_data["due_date"],
                notes=header.cleaned_data["notes"],
                lines=[form.to_change() for form in formset.forms],
                user=request.user,  # type: ignore[arg-type]
            )
        except services.InvoiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Invoice {invoice.number} saved.")
            return redirect(detail_url)
    context = {"invoice": invoice, "header": header, "formset": formset}
    return render(request, "invoicing/edit.html", context)


def _status_action(request: HttpRequest, public_id: UUID, action: Any, done: str) -> HttpResponse:
    invoice = _get_invoice(request, public_id)
    try:
        action(invoice=invoice, user=request.user)
    except services.InvoiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Invoice {invoice.number} {done}.")
    return redirect("invoicing:detail", public_id=invoice.public_id)


@require_POST
@role_required(*INVOICE_ROLES)
def invoice_mark_ready_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _status_action(request, public_id, services.invoice_mark_ready, "is ready to export")


@require_POST
@role_required(*INVOICE_ROLES)
def invoice_mark_draft_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _status_action(request, public_id, services.invoice_mark_draft, "was moved back to draft")


@require_POST
@role_required(*INVOICE_ROLES)
def invoice_void_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _status_action(request, public_id, services.invoice_void, "was voided; its jobs can be invoiced again")


def _selected_jobs(request: HttpRequest, form: RaiseForm) -> list[Booking | WarehouseJob]:
    """The chosen jobs plus every completed job of the chosen customers, all of this tenant."""
    keys = form.cleaned_data["job"]
    booking_ids = [int(k[2:]) for k in keys if k.startswith("b:")]
    warehouse_ids = [int(k[2:]) for k in keys if k.startswith("w:")]
    customers = tenant_queryset(request, Customer).filter(pk__in=[int(c) for c in form.cleaned_data["customer"]])
    # Chosen jobs are passed whatever their status, so one invoiced meanwhile is reported as skipped.
    bookings = tenant_queryset(request, Booking)
    warehouse = tenant_queryset(request, WarehouseJob)
    jobs: list[Booking | WarehouseJob] = []
    jobs.extend(bookings.filter(Q(pk__in=booking_ids) | Q(customer__in=customers, status="completed")))
    jobs.extend(warehouse.filter(Q(pk__in=warehouse_ids) | Q(customer__in=customers, status="completed")))
    return jobs


def _selection(request: HttpRequest, form: RaiseForm) -> RaiseSelection:
    """The form's choice as ids of this tenant only (another tenant's ids are dropped here)."""
    if form.cleaned_data["everything"]:
        return RaiseSelection(everything=True)
    keys = form.cleaned_data["job"]

    def own(model: type[Booking] | type[WarehouseJob], prefix: str) -> tuple[int, ...]:
        ids = [int(k[2:]) for k in keys if k.startswith(prefix)]
        return tuple(tenant_queryset(request, model).filter(pk__in=ids).values_list("pk", flat=True)) if ids else ()

    customers = [int(c) for c in form.cleaned_data["customer"]]
    return RaiseSelection(
        customer_ids=tuple(tenant_queryset(request, Customer).filter(pk__in=customers).values_list("pk", flat=True)),
        booking_ids=own(Booking, "b:"),
        warehouse_ids=own(WarehouseJob, "w:"),
    )


@role_required(*INVOICE_ROLES)
def invoice_raise_view(request: HttpRequest) -> HttpResponse:
    """Completed jobs waiting for an invoice, grouped by customer, a page of customers at a time.

    A small selection is raised in this request (well under a second); a large one, or "raise
    all", becomes a background run whose page shows its progress.
    """
    tenant = request_tenant(request)
    form = RaiseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            mark_ready = form.cleaned_data["mark_ready"]
            user = request.user  # type: ignore[assignment]
            selection = _selection(request, form)
            if selection.everything or raising.raise_selection_count(tenant=tenant, selection=selection) > (
                raising.SYNC_LIMIT
            ):
                run = raising.raise_run_start(tenant=tenant, selection=selection, mark_ready=mark_ready, user=user)  # type: ignore[arg-type]
                return redirect("invoicing:raise_run", public_id=run.public_id)
            jobs = _selected_jobs(request, form)
            refusals: list[str] = []
            try:
                invoices = services.invoice_raise_for_jobs(
                    tenant=tenant,
                    jobs=jobs,
                    mark_ready=mark_ready,
                    user=user,  # type: ignore[arg-type]
                    refusals=refusals,
                )
            except services.InvoiceError as exc:
                messages.error(request, str(exc))
                return redirect("invoicing:raise")
            for reason in refusals:
                messages.error(request, reason)
            _report_raised(request, invoices, requested=len(jobs), refused=bool(refusals))
            if invoices:
                return redirect("invoicing:ready" if mark_ready else f"{reverse('invoicing:list')}?status=draft")
            return redirect("invoicing:raise")
        problems = dict.fromkeys(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, " ".join(problems))
    page = selectors.raise_page(tenant=tenant, page_number=request.GET.get("page"))
    context = {
        "groups": page.groups,
        "page_obj": page.page_obj,
        "jobs_total": page.jobs_total,
        "customers_total": page.customers_total,
        "form": form,
        "querystring_without_page": "",
    }
    return render(request, "invoicing/raise.html", context)


@role_required(*INVOICE_ROLES)
def invoice_raise_run_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A background raise's progress; htmx polls it (the partial) until the run is finished."""
    run = tenant_get_object_or_404(request, RaiseRun, public_id=public_id)
    template = "invoicing/_raise_run_progress.html" if request.htmx else "invoicing/raise_run.html"  # type: ignore[attr-defined]
    return render(request, template, {"run": run})


def _report_raised(request: HttpRequest, invoices: list[Invoice], *, requested: int, refused: bool) -> None:
    if not invoices and refused:
        return  # the refusals already say why
    if not invoices:
        messages.warning(
            request, "No invoices were raised: the selected jobs were already invoiced or have no charges."
        )
        return
    # One query for all the invoices (it used to be one per invoice).
    covered = InvoiceJob.objects.filter(invoice__in=[inv.pk for inv in invoices]).count()
    consolidated = sum(1 for inv in invoices if inv.is_consolidated)
    where = "Ready to Export" if invoices[0].status == InvoiceStatus.READY else "drafts"
    noun = "invoice" if len(invoices) == 1 else "invoices"
    text = f"Raised {len(invoices)} {noun} covering {covered} job{'s' if covered != 1 else ''}"
    if consolidated:
        text += f" ({consolidated} consolidated)"
    messages.success(request, f"{text}, now in {where}.")
    if covered < requested and not refused:
        skipped = requested - covered
        messages.warning(
            request,
            f"{skipped} selected job{'s were' if skipped != 1 else ' was'} skipped: "
            "already invoiced by someone else, or without charges.",
        )
