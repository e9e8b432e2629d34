"""Warehouse-specific parts of the shared job pages: kind, dates, kind filter, and the Django admin."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from tenancy.models import Tenant, User
from tests.factories import WarehouseChargeFactory
from tests.jobs.helpers import WAREHOUSE, job_form_data, make_customer, make_warehouse_job
from warehouse.models import WarehouseJob


def test_warehouse_form_saves_kind_and_dates(ops_client: Client, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    response = ops_client.post(reverse("warehouse:create"), job_form_data(WAREHOUSE, customer=customer))
    assert response.status_code == 302
    job = WarehouseJob.objects.get()
    assert job.kind == "storage"
    assert (job.start_date, job.end_date) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_kind_filter(ops_client: Client, tenant: Tenant) -> None:
    inbound = make_warehouse_job(tenant=tenant, kind="inbound")
    make_warehouse_job(tenant=tenant, kind="outbound")
    rows = ops_client.get(reverse("warehouse:list"), {"kind": "inbound"}).context["rows"]
    assert [job.number for job in rows] == [inbound.number]


def test_admin_lists_warehouse_jobs_with_charges(tenant: Tenant) -> None:
    superuser = User.objects.create_superuser("root@example.com", "pw")
    client = Client()
    client.force_login(superuser)
    job = make_warehouse_job(tenant=tenant)
    WarehouseChargeFactory(job=job, description="Pallet storage week 47")
    assert job.number in client.get(reverse("admin:warehouse_warehousejob_changelist")).content.decode()
    change = client.get(reverse("admin:warehouse_warehousejob_change", args=[job.pk])).content.decode()
    assert "Pallet storage week 47" in change
