"""Booking pages: thin, role-checked wrappers around the shared job pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from bookings.forms import BookingChargeFormSet, BookingFilter, BookingForm
from bookings.models import Booking
from bookings.services import BOOKING_FLOW, booking_create, booking_update
from jobs.views import JobPages, job_create_page, job_detail_page, job_edit_page, job_list_page
from tenancy.scoping import ANY_ROLE, role_required

PAGES = JobPages(
    model=Booking,
    form_class=BookingForm,
    formset_class=BookingChargeFormSet,
    filter_class=BookingFilter,
    create=booking_create,
    update=booking_update,
    namespace="bookings",
    template_dir="bookings",
    noun="booking",
    flow=BOOKING_FLOW,
)


@role_required(*ANY_ROLE)
def booking_list(request: HttpRequest) -> HttpResponse:
    return job_list_page(request, pages=PAGES)


@role_required(*ANY_ROLE)
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return job_detail_page(request, pk, pages=PAGES)


@role_required(*ANY_ROLE)
def booking_create_view(request: HttpRequest) -> HttpResponse:
    return job_create_page(request, pages=PAGES)


@role_required(*ANY_ROLE)
def booking_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return job_edit_page(request, pk, pages=PAGES)
