"""Issue 9, items 4-6: broker and worker faults, with a real Celery worker process (beat inside it
for the periodic recovery), a private ``redis-server`` that the test kills and brings back, the
test's PostgreSQL and the Xero sandbox over HTTP.

After each fault clears, every invoice must end exported exactly once (or failed with a reason)
within two minutes, none stays "exporting", the run record tells the truth, and Xero never
answers 429. Leases and recovery intervals are shortened through settings so the tests stay fast.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from integrations.xero.export.limiter import limiter_reset
from integrations.xero.export.services import export_run_start
from integrations.xero.models import (
    AttemptOutcome,
    ExportAttempt,
    ExportRun,
    ExportRunStatus,
    ExportTrigger,
    XeroSettings,
)
from integrations.xero.tests.export_support import (
    customers_bulk_make,
    invoices_bulk_make,
    sandbox_invoices_by_number,
    xero_connection_make,
)
from integrations.xero.tests.export_worker import ExportWorker, wait_until
from integrations.xero.tests.private_redis import PrivateRedis
from invoicing.models import Invoice, InvoiceStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]
PUT_INVOICES = "/api.xro/2.0/Invoices"
SETTLE_WITHIN = 120.0  # seconds after the fault clears
# Short lease, grace and recovery interval (production: 60 s, 15 s, 30 s) and HTTP time-out.
FAST = {
    "XERO_HTTP_TIMEOUT": "3",
    "XERO_EXPORT_STUCK_SECONDS": "6",
    "XERO_EXPORT_STALL_GRACE_SECONDS": "2",
    "XERO_EXPORT_RECOVERY_SECONDS": "2",
}


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture
def worker(xero_sandbox: Any, xero_sandbox_settings: Any, private_redis: PrivateRedis) -> Iterator[ExportWorker]:
    xero_sandbox_settings.REDIS_URL = private_redis.url
    xero_sandbox_settings.XERO_HTTP_TIMEOUT = 2
    xero_sandbox_settings.XERO_EXPORT_STUCK_SECONDS = 6
    xero_sandbox_settings.XERO_EXPORT_STALL_GRACE_SECONDS = 2
    xero_sandbox_settings.XERO_EXPORT_RECOVERY_SECONDS = 2
    w = ExportWorker(xero_sandbox.urls(), redis_url=private_redis.url)
    w.broker_use()
    yield w
    w.stop()
    w.log_remove()
    w.broker_restore()
    connection.close()


def _setup(tenant: Any, sandbox: Any) -> Any:
    XeroSettings.objects.update_or_create(
        tenant=tenant, defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}}
    )
    conn = xero_connection_make(tenant=tenant, sandbox=sandbox)
    limiter_reset(org=conn.xero_tenant_id)
    return conn


def _settled(run: ExportRun) -> ExportRun | None:
    run.refresh_from_db()
    done = run.status == ExportRunStatus.FINISHED
    return run if done and not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists() else None


def _fired(sandbox: Any, rule: dict[str, Any]) -> bool:
    return any(f["id"] == rule["id"] and f["fired"] for f in sandbox.control.faults())


def _assert_exported_exactly_once(sandbox: Any, run: ExportRun, count: int) -> None:
    held = sandbox_invoices_by_number(sandbox, sandbox.au_org_id)
    assert {n: len(v) for n, v in held.items() if len(v) > 1} == {}
    assert not Invoice.objects.filter(status=InvoiceStatus.EXPORTING).exists()
    for inv in Invoice.objects.all():
        assert inv.status == InvoiceStatus.EXPORTED, (inv.number, inv.status, inv.export_error)
        assert inv.xero_invoice_id == held[inv.number][0]["InvoiceID"]
    assert (run.status, run.exported_count, run.failed_count) == (ExportRunStatus.FINISHED, count, 0), run.message
    assert len(held) == count
    events = sandbox.control.stats()["events"]
    assert not {k: v for k, v in events.items() if k.startswith("rate_limited")}, events


def test_redis_drop_mid_batch_keeps_xeros_answer_and_the_worker(tenant, xero_sandbox, worker, private_redis):
    """Item 4: Redis (broker and limiter) dies while Xero is processing a batch, and comes back empty."""
    _setup(tenant, xero_sandbox)
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=3), count=60)
    worker.start(beat=True, extra_env=FAST)
    # Xero takes 2 s over the batch (under the 3 s time-out): Redis dies meanwhile.
    slow = xero_sandbox.control.add_fault("delay", method="PUT", path=PUT_INVOICES, times=1, hold_seconds=2)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL)
    wait_until(lambda: _fired(xero_sandbox, slow), timeout=30, what="the first batch in flight", worker=worker)
    private_redis.kill()
    # Xero answers the held batch while Redis is down; keep it down a little longer.
    wait_until(
        lambda: any(r.get("status") == 200 for r in xero_sandbox.control.requests(method="PUT", path=PUT_INVOICES)),
        timeout=30, what="Xero's answer to the held batch", worker=worker,
    )  # fmt: skip
    time.sleep(3)  # the outage itself: the worker must notice it (and survive it)
    private_redis.start()
    cleared = time.monotonic()
    run = wait_until(lambda: _settled(run), timeout=SETTLE_WITHIN, what="run settled", worker=worker)
    assert time.monotonic() - cleared < SETTLE_WITHIN
    _assert_exported_exactly_once(xero_sandbox, run, 60)
    # Xero's answer to the held batch was recorded as it came, not found later by a look-up.
    assert ExportAttempt.objects.filter(outcome=AttemptOutcome.EXPORTED).count() == 60
    assert not ExportAttempt.objects.filter(outcome=AttemptOutcome.ADOPTED).exists()
    assert worker.proc is not None and worker.proc.poll() is None, worker.output()[-3000:]
    assert "Unrecoverable error" not in worker.output()


def test_export_clicked_while_the_broker_is_down_starts_when_it_returns(
    tenant, accounts_client, xero_sandbox, worker, private_redis
):
    """Item 5: no 500, a clear message, and the run starts once the broker is back."""
    _setup(tenant, xero_sandbox)
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=2), count=10)
    worker.start(beat=True, extra_env=FAST)
    private_redis.kill()
    response = accounts_client.post(reverse("xero_export:start"), {"all": "1"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot be reached" in text and "starts by itself" in text, text[:2000]
    run = ExportRun.objects.get()
    assert run.status == ExportRunStatus.QUEUED and run.total_count == 10
    private_redis.start()
    cleared = time.monotonic()
    run = wait_until(lambda: _settled(run), timeout=60, what="run started and settled", worker=worker)
    assert time.monotonic() - cleared < 60
    _assert_exported_exactly_once(xero_sandbox, run, 10)


def test_killed_worker_mid_batch_settles_within_two_minutes(tenant, accounts_client, xero_sandbox, worker):
    """Item 6: the worker (main process and pool) is SIGKILLed while Xero holds a batch it committed."""
    _setup(tenant, xero_sandbox)
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=3), count=120)
    worker.start(beat=True, extra_env=FAST)
    held = xero_sandbox.control.add_fault(
        "commit_then_timeout", method="PUT", path=PUT_INVOICES, times=1, skip=1, hold_seconds=30
    )
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL)
    wait_until(lambda: _fired(xero_sandbox, held), timeout=30, what="the second batch in flight", worker=worker)
    worker.kill()
    killed = time.monotonic()
    assert Invoice.objects.filter(status=InvoiceStatus.EXPORTING).count() == 50
    # The run page says the run is stalled and what happens next.
    page = reverse("xero_export:run_progress", args=[run.public_id])
    text = wait_until(
        lambda: (t := accounts_client.get(page).content.decode()) and "Stalled" in t and t,
        timeout=30, what="the stall notice", worker=worker,
    )  # fmt: skip
    assert "resumes this export by itself" in text and tenant.timezone in text
    worker.start(beat=True, extra_env=FAST)  # what the supervisor (honcho loop, compose restart) does
    run = wait_until(lambda: _settled(run), timeout=SETTLE_WITHIN, what="run settled", worker=worker)
    assert time.monotonic() - killed < SETTLE_WITHIN
    _assert_exported_exactly_once(xero_sandbox, run, 120)
    # The committed batch was found by look-up, not sent again.
    assert ExportAttempt.objects.filter(outcome=AttemptOutcome.ADOPTED).count() == 50
    assert "Stalled" not in accounts_client.get(page).content.decode()
