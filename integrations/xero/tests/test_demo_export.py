"""The demo's first export succeeds: seeded data and the sandbox organisation agree.

The README path, without a browser (the browser version is in tests/e2e): seed_demo, the demo
admin connects through the real OAuth flow, then every ready invoice is exported — 0 failures.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from integrations.xero.export.services import export_run_drive, export_run_start
from integrations.xero.models import ExportRunStatus, ExportTrigger
from integrations.xero.tests.connect_support import connect_via_sandbox
from invoicing.models import Invoice, InvoiceStatus
from tenancy.models import Tenant, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]


@pytest.fixture
def demo() -> Tenant:
    call_command("seed_demo", stdout=StringIO())
    return Tenant.objects.get(slug="demo")


def _connect_as_demo_admin(sandbox) -> None:
    client = Client()
    client.force_login(User.objects.get(email="admin@demo.example"))
    connect_via_sandbox(client, sandbox, org_ids=[sandbox.au_org_id])


def test_every_seeded_ready_invoice_exports_with_no_failure(demo: Tenant, xero_sandbox) -> None:
    _connect_as_demo_admin(xero_sandbox)
    ready = Invoice.objects.filter(tenant=demo, status=InvoiceStatus.READY).count()
    assert ready > 20

    run = export_run_start(tenant=demo, trigger=ExportTrigger.MANUAL, enqueue=False)
    run = export_run_drive(run_id=run.id, max_wait=60)

    failed = list(Invoice.objects.filter(tenant=demo, status=InvoiceStatus.EXPORT_FAILED).values_list("export_error"))
    assert run.status == ExportRunStatus.FINISHED
    assert (run.total_count, run.exported_count, run.failed_count) == (ready, ready, 0), failed[:3]
    held = xero_sandbox.control.invoices(xero_sandbox.au_org_id)
    assert len(held) == ready
