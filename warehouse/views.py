"""Warehouse job pages: thin, role-checked wrappers around the shared job pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from jobs.views import JobPages, job_create_page, job_detail_page, job_edit_page, job_list_page
from tenancy.scoping import ANY_ROLE, role_required
from warehouse.forms import WarehouseChargeFormSet, WarehouseJobFilter, WarehouseJobForm
from warehouse.models import WarehouseJob
from warehouse.services import WAREHOUSE_FLOW, warehouse_job_create, warehouse_job_update

PAGES = JobPages(
    model=WarehouseJob,
    form_class=WarehouseJobForm,
    formset_class=WarehouseChargeFormSet,
    filter_class=WarehouseJobFilter,
    create=warehouse_job_create,
    update=warehouse_job_update,
    namespace="warehouse",
    template_dir="warehouse",
    noun="warehouse job",
    flow=WAREHOUSE_FLOW,
)


@role_required(*ANY_ROLE)
def warehouse_job_list(request: HttpRequest) -> HttpResponse:
    return job_list_page(request, pages=PAGES)


@role_required(*ANY_ROLE)
def warehouse_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return job_detail_page(request, pk, pages=PAGES)


@role_required(*ANY_ROLE)
def warehouse_job_create_view(request: HttpRequest) -> HttpResponse:
    return job_create_page(request, pages=PAGES)


@role_required(*ANY_ROLE)
def warehouse_job_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return job_edit_page(request, pk, pages=PAGES)
