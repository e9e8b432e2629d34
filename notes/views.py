"""Staff side of customer notes: reply on a job, and the tenant's notes e-mail setting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bookings.models import Booking
from jobs.models import Job
from jobs.refs import job_code
from notes.forms import NoteForm, NotesSettingsForm
from notes.services import STAFF_URL, note_add_by_staff, notes_email_set
from tenancy.scoping import ADMIN_ONLY, ANY_ROLE, request_tenant, role_required, tenant_get_object_or_404
from warehouse.models import WarehouseJob


def _reply(request: HttpRequest, model: type[Job], pk: int) -> HttpResponse:
    job = tenant_get_object_or_404(request, model.objects.select_related("tenant", "customer"), pk=pk)  # type: ignore[attr-defined]
    form = NoteForm(request.POST)
    user: Any = request.user
    if form.is_valid():
        try:
            note_add_by_staff(job=job, user=user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Reply sent to the customer.")
    else:
        messages.error(request, "Note not sent: " + " ".join(str(e) for e in form.errors.get("body", [])))
    return redirect(f"{STAFF_URL[job_code(job)]}", pk=job.pk)


@require_POST
@role_required(*ANY_ROLE)
def booking_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _reply(request, Booking, pk)


@require_POST
@role_required(*ANY_ROLE)
def warehouse_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _reply(request, WarehouseJob, pk)


@role_required(*ADMIN_ONLY)
def notes_settings(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    form = NotesSettingsForm(request.POST or None, initial={"notes_email": tenant.notes_email})
    if request.method == "POST" and form.is_valid():
        notes_email_set(tenant=tenant, email=form.cleaned_data["notes_email"])
        messages.success(request, "Notes e-mail address saved.")
        return redirect("notes:settings")
    return render(request, "notes/settings.html", {"form": form})
