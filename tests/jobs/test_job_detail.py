"""Job detail pages: customer reference up front, charges, and whether (and where) the job is invoiced."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Tenant
from tests.jobs.helpers import KINDS, JobKind

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


def test_detail_shows_reference_prominently_and_charges_total(
    ops_client: Client, kind: JobKind, tenant: Tenant
) -> None:
    job = kind.factory(tenant=tenant, status="booked", customer_reference="PO-4471/B")
    kind.charge_factory(job=job, description="Linehaul", quantity=2, unit_price="150.00")
    kind.charge_factory(job=job, description="Fuel levy", quantity=1, unit_price="12.35")
    body = ops_client.get(reverse(f"{kind.namespace}:detail", args=[job.pk])).content.decode()
    assert '<span class="ref">PO-4471/B</span>' in body
    assert "Linehaul" in body and "Fuel levy" in body
    assert "312.35" in body
    assert reverse(f"{kind.namespace}:edit", args=[job.pk]) in body


def test_completed_job_says_ready_to_invoice(accounts_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="completed")
    body = accounts_client.get(reverse(f"{kind.namespace}:detail", args=[job.pk])).content.decode()
    assert "Ready to invoice" in body and reverse("invoicing:raise") in body


def test_invoiced_job_links_to_its_invoice_for_accounts(accounts_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="completed")
    kind.charge_factory(job=job)
    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[job])
    job.refresh_from_db()
    assert job.status == "invoiced"

    body = accounts_client.get(reverse(f"{kind.namespace}:detail", args=[job.pk])).content.decode()
    assert reverse("invoicing:detail", args=[invoice.public_id]) in body
    assert invoice.number in body
    assert "read-only" in body


def test_invoiced_job_shows_no_invoice_link_to_operations(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="completed")
    kind.charge_factory(job=job)
    [invoice] = invoice_raise_for_jobs(tenant=tenant, jobs=[job])
    body = ops_client.get(reverse(f"{kind.namespace}:detail", args=[job.pk])).content.decode()
    assert "Invoiced" in body
    assert str(invoice.public_id) not in body
    assert reverse("invoicing:detail", args=[invoice.public_id]) not in body
