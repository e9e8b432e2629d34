"""``manage.py xero_export`` does what the button does and prints each outcome."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.xero.models import ExportRun, ExportTrigger, XeroSettings
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make, xero_connection_make
from invoicing.models import InvoiceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(tenant, xero_sandbox, xero_sandbox_settings):
    xero_sandbox_settings.REDIS_URL = ""
    XeroSettings.objects.update_or_create(tenant=tenant, defaults={"default_account_code": "200"})
    return xero_connection_make(tenant=tenant, sandbox=xero_sandbox)


def test_wait_exports_in_process_and_prints_outcomes(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=2)
    good, bad, untouched = invoices_bulk_make(tenant=tenant, customers=customers, count=3)
    bad.lines.update(account_code="999999")
    out = io.StringIO()
    with pytest.raises(SystemExit):  # a failed invoice makes the exit status non-zero
        call_command("xero_export", "--tenant", "acme", "--invoice", good.number, "--invoice", bad.number,
                     "--wait", stdout=out)  # fmt: skip
    text = out.getvalue()
    assert f"{good.number}: exported" in text
    assert f"{bad.number}: FAILED" in text
    assert untouched.number not in text
    run = ExportRun.objects.get()
    assert run.trigger == ExportTrigger.COMMAND and run.total_count == 2
    untouched.refresh_from_db()
    assert untouched.status == InvoiceStatus.READY
    numbers = {i["InvoiceNumber"] for i in xero_sandbox.control.invoices(connected.xero_tenant_id)}
    assert numbers == {good.number}


def test_without_wait_the_run_is_queued(tenant, connected, django_capture_on_commit_callbacks):
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=1), count=2)
    out = io.StringIO()
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("xero_export", "--tenant", "acme", stdout=out)
    assert "queued: 2 invoice(s)" in out.getvalue()
    assert len(callbacks) == 1


def test_unknown_tenant_or_invoice_is_an_error(tenant):
    with pytest.raises(CommandError):
        call_command("xero_export", "--tenant", "nope")
    with pytest.raises(CommandError):
        call_command("xero_export", "--tenant", "acme", "--invoice", "INV-404")
