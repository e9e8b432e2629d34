"""Reads for warehouse jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from jobs.selectors import job_list
from tenancy.models import Tenant
from warehouse.models import WarehouseJob


def warehouse_job_list(*, tenant: Tenant) -> QuerySet[WarehouseJob]:
    return job_list(tenant=tenant, model=WarehouseJob)
