"""Staff pages of documents: attach a file to a job, download a file of the tenant."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from bookings.models import Booking
from documents.downloads import document_response
from documents.forms import DocumentForm
from documents.selectors import document_of_tenant
from documents.services import document_attach
from jobs.models import Job
from jobs.refs import job_code
from tenancy.scoping import ANY_ROLE, request_tenant, role_required, tenant_get_object_or_404
from warehouse.models import WarehouseJob

DETAIL_URL = {"b": "bookings:detail", "w": "warehouse:detail"}


def _upload(request: HttpRequest, model: type[Job], pk: int) -> HttpResponse:
    job = tenant_get_object_or_404(request, model, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    user: Any = request.user
    if form.is_valid():
        try:
            document = document_attach(
                job=job, user=user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            messages.error(request, "File not attached: " + " ".join(exc.messages))
        else:
            messages.success(request, f"{document.get_kind_display()} “{document.original_name}” attached.")
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "File not attached: " + " ".join(errors))
    return redirect(DETAIL_URL[job_code(job)], pk=job.pk)


@require_POST
@role_required(*ANY_ROLE)
def booking_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return _upload(request, Booking, pk)


@require_POST
@role_required(*ANY_ROLE)
def warehouse_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return _upload(request, WarehouseJob, pk)


@role_required(*ANY_ROLE)
def download(request: HttpRequest, public_id: str) -> HttpResponse:
    document = document_of_tenant(tenant=request_tenant(request), public_id=public_id)
    if document is None:
        raise Http404("No such document")
    return document_response(document)
