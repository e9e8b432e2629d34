"""Issue 9, items 1-3: the export engine in this process against the sandbox over HTTP.

1. a contact that another run created meanwhile is adopted, not failed; contact creation is
   serialised per organisation;
2. a run settles only the invoices it claimed;
3. a 401 on any call (GETs too) refreshes the token once and repeats the call.
(Items 4-6 need a real worker and Redis: test_export_faults_worker.py.)
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection as db_connection

from customers.models import Customer
from integrations.xero.client import xero_accounting_api
from integrations.xero.export.contacts import contacts_ensure
from integrations.xero.export.selectors import export_run_progress
from integrations.xero.export.services import export_run_drive, export_run_start, export_run_step
from integrations.xero.models import AttemptOutcome, ExportAttempt, ExportRunStatus, ExportTrigger, XeroSettings
from integrations.xero.settings_services import xero_org_cache_refresh
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make, xero_connection_make
from invoicing.models import Invoice, InvoiceStatus

PUT_CONTACTS = "/api.xro/2.0/Contacts"


@pytest.fixture
def connected(tenant, xero_sandbox, xero_sandbox_settings):
    xero_sandbox_settings.XERO_HTTP_TIMEOUT = 5
    xero_sandbox_settings.REDIS_URL = ""  # the PostgreSQL limiter: these tests need no Redis
    XeroSettings.objects.update_or_create(
        tenant=tenant, defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}}
    )
    return xero_connection_make(tenant=tenant, sandbox=xero_sandbox)


def _export(tenant: Any, **kw: Any) -> Any:
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False, **kw)
    return export_run_drive(run_id=run.id, max_wait=60)


# --- 1. contacts ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_contact_created_meanwhile_by_someone_else_is_looked_up_not_failed(tenant, connected, xero_sandbox):
    """Xero answers our create with "name must be unique" because another run created the contact
    between our look-up and our create: settle it by looking it up again."""
    (customer,) = customers_bulk_make(tenant=tenant, count=1)
    org = connected.xero_tenant_id
    api = xero_accounting_api(connection=connected)
    xero_sandbox.control.add_fault("delay", method="PUT", path=PUT_CONTACTS, times=1, hold_seconds=1.5)
    done: dict[str, Any] = {}

    def ensure() -> None:
        try:
            done["errors"] = contacts_ensure(api=api, org=org, customers=[Customer.objects.get(pk=customer.pk)])
        finally:
            db_connection.close()

    worker = threading.Thread(target=ensure)
    worker.start()
    # While our PUT /Contacts is held, "run B" creates the same contact (name and number).
    deadline_hits = 0
    while not xero_sandbox.control.requests(method="PUT", path=PUT_CONTACTS) and deadline_hits < 200:
        threading.Event().wait(0.02)
        deadline_hits += 1
    (made,) = xero_sandbox.control.add_contacts(org, [{"Name": customer.name, "ContactNumber": customer.code}])
    worker.join(timeout=30)
    assert done["errors"] == {}
    customer.refresh_from_db()
    assert customer.xero_contact_id == made["ContactID"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_with_the_same_new_customer_create_the_contact_once(tenant, connected, xero_sandbox):
    """Two exports at once, Xero slow on the first PUT /Contacts: contact creation is serialised per
    organisation, so the second run waits and uses the contact the first created."""
    (customer,) = customers_bulk_make(tenant=tenant, count=1)
    first, second = invoices_bulk_make(tenant=tenant, customers=[customer], count=2)
    xero_sandbox.control.add_fault("delay", method="PUT", path=PUT_CONTACTS, times=1, hold_seconds=2)
    runs = [
        export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False, invoice_ids=[inv.id])
        for inv in (first, second)
    ]
    finished: list[Any] = []

    def drive(run_id: int) -> None:
        try:
            finished.append(export_run_drive(run_id=run_id, max_wait=60))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=drive, args=(r.id,)) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert sorted((r.exported_count, r.failed_count) for r in finished) == [(1, 0), (1, 0)], [
        r.message for r in finished
    ]
    assert len(xero_sandbox.control.requests(method="PUT", path=PUT_CONTACTS)) == 1
    names = [c["Name"] for c in xero_sandbox.control.contacts(connected.xero_tenant_id)]
    assert names.count(customer.name) == 1


# --- 2. a run settles only what it claimed -------------------------------------------------------


@pytest.mark.django_db
def test_a_run_does_not_settle_invoices_another_run_has_claimed(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices = invoices_bulk_make(tenant=tenant, customers=customers, count=3)
    run_a = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
    # Run A's batch got no answer; its look-up found nothing and gave the invoices back (ready).
    xero_sandbox.control.add_fault("reset", method="PUT", path="/api.xro/2.0/Invoices", times=1)
    export_run_step(run_id=run_a.id)  # sends, no answer → unknown
    export_run_step(run_id=run_a.id)  # look-up: not in Xero → ready again
    assert Invoice.objects.filter(status=InvoiceStatus.READY).count() == 3
    # Run C claims them and is mid-call (its attempts pending) when run A steps again.
    run_c = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
    Invoice.objects.filter(id__in=[i.id for i in invoices]).update(status=InvoiceStatus.EXPORTING)
    ExportAttempt.objects.bulk_create(
        [ExportAttempt(run=run_c, invoice=i, idempotency_key="k", started_at=run_c.created_at) for i in invoices]
    )
    looked_up_before = len(xero_sandbox.control.requests(method="GET", path="/api.xro/2.0/Invoices"))
    export_run_step(run_id=run_a.id)
    # Run A neither looked them up nor touched run C's attempts: C settles its own claims.
    assert len(xero_sandbox.control.requests(method="GET", path="/api.xro/2.0/Invoices")) == looked_up_before
    assert set(ExportAttempt.objects.filter(run=run_c).values_list("outcome", flat=True)) == {AttemptOutcome.PENDING}
    run_a.refresh_from_db()
    assert run_a.status == ExportRunStatus.FINISHED
    assert export_run_progress(run=run_a).exporting == 0, "a finished run must not show invoices being sent"
    assert "3 not exported by this run" in run_a.message


# --- 3. 401 on any call --------------------------------------------------------------------------


@pytest.mark.django_db
def test_401_on_contact_lookup_refreshes_the_token_once_and_retries(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices_bulk_make(tenant=tenant, customers=customers, count=1)
    token_before = connected.access_token_encrypted
    xero_sandbox.control.add_fault("401", method="GET", path=PUT_CONTACTS, times=1)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
    export_run_step(run_id=run.id)  # one step: look-up (401 → refresh → again), create, send
    run.refresh_from_db()
    assert run.exported_count == 1, run.message
    connected.refresh_from_db()
    assert connected.access_token_encrypted != token_before
    assert xero_sandbox.control.stats()["events"].get("fault_401") == 1


@pytest.mark.django_db
def test_401_on_invoice_lookup_refreshes_the_token_once_and_retries(tenant, connected, xero_sandbox):
    customers = customers_bulk_make(tenant=tenant, count=1)
    invoices_bulk_make(tenant=tenant, customers=customers, count=2)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
    xero_sandbox.control.add_fault("reset", method="PUT", path="/api.xro/2.0/Invoices", times=1)
    export_run_step(run_id=run.id)  # no answer → unknown
    xero_sandbox.control.add_fault("401", method="GET", path="/api.xro/2.0/Invoices", times=1)
    export_run_step(run_id=run.id)  # look-up: 401 → refresh → looked up; nothing held → ready again
    assert not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()
    run = export_run_drive(run_id=run.id, max_wait=30)
    assert run.exported_count == 2, run.message


@pytest.mark.django_db
def test_401_on_organisation_lists_refreshes_the_token_once_and_retries(tenant, connected, xero_sandbox):
    xero_sandbox.control.add_fault("401", method="GET", path="/api.xro/2.0/Accounts", times=1)
    data = xero_org_cache_refresh(tenant=tenant)
    assert data["accounts"], "the accounts were read after the refresh"
    assert xero_sandbox.control.stats()["events"].get("fault_401") == 1


@pytest.mark.django_db
def test_a_second_401_in_a_row_is_not_retried_forever(tenant, connected, xero_sandbox):
    xero_sandbox.control.add_fault("401", method="GET", path="/api.xro/2.0/Accounts", times=None)
    with pytest.raises(Exception, match="401"):
        xero_org_cache_refresh(tenant=tenant)
    assert xero_sandbox.control.stats()["events"].get("fault_401") == 2
