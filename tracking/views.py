"""Staff pages of track & trace: add an event to one job, or to many selected jobs at once."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bookings.models import Booking
from jobs.models import DONE_STATUSES, Job
from jobs.refs import job_code, job_model_for_code, job_of
from jobs.selectors import job_search
from tenancy.models import User
from tenancy.scoping import ANY_ROLE, request_tenant, role_required, tenant_get_object_or_404
from tracking.forms import BulkStatusEventForm, StatusEventForm
from tracking.links import (
    DEFAULT_DAYS,
    MAX_DAYS,
    tracking_link_create,
    tracking_link_resolve,
    tracking_link_revoke,
)
from tracking.models import TrackingLink
from tracking.selectors import status_timeline
from tracking.services import BULK_MAX_JOBS, status_event_add, status_event_add_bulk
from warehouse.models import WarehouseJob

DETAIL_URL = {"b": "bookings:detail", "w": "warehouse:detail"}


def _add(request: HttpRequest, model: type[Job], pk: int) -> HttpResponse:
    job = tenant_get_object_or_404(request, model, pk=pk)
    tenant = request_tenant(request)
    with timezone.override(tenant.timezone):
        form = StatusEventForm(request.POST)
        if form.is_valid():
            try:
                status_event_add(job=job, user=_user(request), **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{job.number}: status updated.")
        else:
            errors = "; ".join(
                f"{form.fields[f].label}: {' '.join(map(str, e))}" for f, e in form.errors.items() if f in form.fields
            )
            messages.error(request, f"Status not added. {errors}")
    return redirect(DETAIL_URL[job_code(job)], pk=job.pk)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_POST
@role_required(*ANY_ROLE)
def booking_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(request, Booking, pk)


@require_POST
@role_required(*ANY_ROLE)
def warehouse_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(request, WarehouseJob, pk)


def _open_jobs(request: HttpRequest, text: str) -> list[Job]:
    """Open jobs of the tenant for the bulk page, newest first, capped per kind."""
    tenant = request_tenant(request)
    found: list[Job] = []
    for model in (Booking, WarehouseJob):
        qs = model.objects.filter(tenant=tenant).exclude(status__in=DONE_STATUSES).select_related("customer")
        found += list(job_search(queryset=qs, text=text, tenant=tenant).order_by("-id")[: BULK_MAX_JOBS // 2])  # type: ignore[arg-type]
    return found


@role_required(*ANY_ROLE)
def bulk(request: HttpRequest) -> HttpResponse:
    """Select open jobs (search to narrow), pick a status, apply it to all of them at once."""
    tenant = request_tenant(request)
    text = request.GET.get("q", "")[:100]
    jobs = _open_jobs(request, text)
    choices = [(f"{job_code(j)}:{j.pk}", f"{j.number}") for j in jobs]
    with timezone.override(tenant.timezone):
        form = BulkStatusEventForm(request.POST or None, job_choices=choices)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            selected = _selected_jobs(request, data.pop("jobs"))
            try:
                events = status_event_add_bulk(tenant=tenant, jobs=selected, user=_user(request), **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Status added to {len(events)} jobs.")
                return redirect("tracking:bulk")
        return render(request, "tracking/bulk.html", {"form": form, "jobs": jobs, "q": text})


def _selected_jobs(request: HttpRequest, values: list[str]) -> list[Job]:
    """Composite ids back to jobs, each looked up inside the tenant (a forged id is a 404)."""
    by_code: dict[str, list[int]] = {}
    for value in values:
        code, _, pk = value.partition(":")
        by_code.setdefault(code, []).append(int(pk))
    found: list[Job] = []
    for code, pks in by_code.items():
        model = job_model_for_code(code)
        rows = list(model._default_manager.filter(tenant=request_tenant(request), pk__in=pks))
        found += rows
    return found


def _link_create(request: HttpRequest, model: type[Job], pk: int) -> HttpResponse:
    job = tenant_get_object_or_404(request, model, pk=pk)
    try:
        days = int(request.POST.get("days") or DEFAULT_DAYS)
        tracking_link_create(job=job, user=_user(request), days=days)
    except (ValueError, ValidationError):
        messages.error(request, f"A link lasts 1 to {MAX_DAYS} days.")
    else:
        messages.success(request, "Tracking link made: copy it from the Track & trace panel.")
    return redirect(DETAIL_URL[job_code(job)], pk=job.pk)


@require_POST
@role_required(*ANY_ROLE)
def booking_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_create(request, Booking, pk)


@require_POST
@role_required(*ANY_ROLE)
def warehouse_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_create(request, WarehouseJob, pk)


@require_POST
@role_required(*ANY_ROLE)
def link_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    link = tenant_get_object_or_404(
        request, TrackingLink.objects.select_related("booking", "warehouse_job"), public_id=public_id
    )
    tracking_link_revoke(link=link)
    messages.success(request, "Tracking link revoked: it no longer works.")
    job = job_of(link)
    return redirect(DETAIL_URL[job_code(job)], pk=job.pk)


def public_page(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link: the job's number and timeline, nothing else (no prices, documents,
    notes, customer or comments). A bad, expired or revoked token is a plain 404."""
    found = tracking_link_resolve(token=token[:500])
    if found is None:
        raise Http404("This tracking link does not work (it may have expired or been revoked).")
    link, job = found
    tenant = link.tenant
    with timezone.override(tenant.timezone):
        response = render(
            request,
            "tracking/public.html",
            {
                "job": job,
                "tenant": tenant,
                "events": list(status_timeline(job=job)),
                "tz_name": tenant.timezone,
                "expires_at": link.expires_at,
            },
        )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
