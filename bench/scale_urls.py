"""The project's URLs plus today's-shape pages under ``/before/``, for ``bench/scale_bench.py`` only.

Both shapes are requested through the same middleware stack (sessions, auth, tenant, htmx), so the
medians compare like with like.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.before import shapes
from bookings.views import PAGES as BOOKING_PAGES
from freighttracker.urls import urlpatterns as project_urlpatterns
from tenancy.scoping import ANY_ROLE, INVOICE_ROLES, role_required
from warehouse.views import PAGES as WAREHOUSE_PAGES


@role_required(*ANY_ROLE)
def before_bookings(request: HttpRequest) -> HttpResponse:
    return shapes.job_list_page(request, pages=BOOKING_PAGES)


@role_required(*ANY_ROLE)
def before_warehouse(request: HttpRequest) -> HttpResponse:
    return shapes.job_list_page(request, pages=WAREHOUSE_PAGES)


@role_required(*INVOICE_ROLES)
def before_raise(request: HttpRequest) -> HttpResponse:
    return shapes.raise_page(request)


urlpatterns = [
    *project_urlpatterns,
    path("before/bookings/", before_bookings),
    path("before/warehouse/", before_warehouse),
    path("before/raise/", before_raise),
]
