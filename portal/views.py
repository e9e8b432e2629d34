"""Customer portal pages: thin views over ``portal.selectors``, each behind ``customer_required``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bookings.models import Booking
from documents.downloads import document_response
from documents.selectors import document_list, document_of_customer
from invoicing.pdf import invoice_pdf_render
from jobs.models import Direction, Job
from notes.forms import NoteForm
from notes.selectors import note_thread
from notes.services import note_add_from_portal, notes_mark_read
from portal.access import customer_required, portal_customer
from portal.selectors import (
    portal_invoice_get,
    portal_invoices,
    portal_job_get,
    portal_job_search,
    portal_rows_label,
)
from tracking.selectors import status_timeline
from warehouse.models import WarehouseJob

HOME_ROWS = 25
PAGE_SIZE = 25


def paginate(request: HttpRequest, rows: QuerySet[Any]) -> dict[str, Any]:
    """A plain LIMIT/OFFSET page: the job rows are a UNION of two tables, so the staff lists'
    key-first paginator (which re-filters one model by pk) does not apply."""
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page_obj, "rows": page_obj.object_list, "querystring_without_page": params.urlencode()}


@customer_required
def home(request: HttpRequest) -> HttpResponse:
    """Open jobs, imports and exports side by side (the newest of each; search shows the rest)."""
    customer = portal_customer(request)
    sections = []
    for direction in (Direction.IMPORT, Direction.EXPORT):
        rows = list(portal_job_search(customer=customer, direction=direction)[: HOME_ROWS + 1])
        sections.append(
            {
                "direction": direction,
                "title": f"{direction.label}s",
                "rows": portal_rows_label(rows[:HOME_ROWS]),
                "more": len(rows) > HOME_ROWS,
            }
        )
    return _render(request, "portal/home.html", {"customer": customer, "sections": sections})


@customer_required
def job_search(request: HttpRequest) -> HttpResponse:
    """Search by reference, job number or container; open jobs, or completed ones with ``done=1``."""
    customer = portal_customer(request)
    text = request.GET.get("q", "")[:100]
    direction = request.GET.get("direction", "")
    done = request.GET.get("done") == "1"
    rows = portal_job_search(
        customer=customer, direction=direction if direction in Direction.values else None, done=done, text=text
    )
    page = paginate(request, rows)
    page["rows"] = portal_rows_label(list(page["rows"]))
    context = {"customer": customer, "q": text, "direction": direction, "done": done, "directions": Direction, **page}
    return _render(request, "portal/jobs.html", context)


def _job_page(request: HttpRequest, model: type[Job], pk: int) -> HttpResponse:
    customer = portal_customer(request)
    job = portal_job_get(customer=customer, model=model, pk=pk)
    if job is None:
        raise Http404("No such job")
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note_add_from_portal(job=job, user=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Note sent. We will get back to you here and by e-mail.")
            return redirect(request.path)
    new_ids = notes_mark_read(job=job, by_customer=True)
    context = {
        "customer": customer,
        "job": job,
        "events": list(status_timeline(job=job)),
        "notes": list(note_thread(job=job)),
        "documents": list(document_list(job=job)),
        "download_url_name": "portal:document",
        "new_ids": set(new_ids),
        "form": form,
    }
    return _render(request, "portal/job.html", context)


@customer_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_page(request, Booking, pk)


@customer_required
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_page(request, WarehouseJob, pk)


@customer_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(request)
    return _render(
        request, "portal/invoices.html", {"customer": customer, **paginate(request, portal_invoices(customer=customer))}
    )


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render in the tenant's time zone, and say which one it is."""
    zone = request.tenant.timezone  # type: ignore[attr-defined]
    with timezone.override(zone):
        return render(request, template, {**context, "tz_name": zone})


@customer_required
def document_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """A document of one of this customer's jobs; any other id (another customer's, another
    tenant's, made up) is the same 404."""
    document = document_of_customer(customer=portal_customer(request), public_id=public_id)
    if document is None:
        raise Http404("No such document")
    return document_response(document)


@customer_required
def invoice_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    invoice = portal_invoice_get(customer=portal_customer(request), public_id=public_id)
    if invoice is None:
        raise Http404("No such invoice")
    response = HttpResponse(invoice_pdf_render(invoice=invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
