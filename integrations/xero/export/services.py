"""Export runs: start one, advance it one batch at a time, finish, defer, block, recover.

A run advances in *steps*. Each step (one Celery task invocation) settles this run's unknown
attempts by look-up, then sends at most one batch of 50 and re-enqueues itself — so runs of
different tenants interleave in the queue and a 10,000-invoice export cannot starve a small one.
A step never sleeps: when the limiter or Xero says wait, the task is rescheduled with a countdown.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import urllib3
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError
from xero_python.exceptions import HTTPStatusException

from integrations.xero.client import xero_accounting_api
from integrations.xero.exceptions import XeroNotConnected, XeroReconnectRequired, XeroTokenError
from integrations.xero.export.batch import BATCH_SIZE, batch_send
from integrations.xero.export.calls import DayLimitReached, RateLimited
from integrations.xero.export.contacts import contacts_ensure
from integrations.xero.export.preflight import PREFLIGHT_HELD, invoice_ids_preflight_split, preflight_held_message
from integrations.xero.export.recovery import invoices_settle_unknown, invoices_stuck
from integrations.xero.models import (
    AttemptOutcome,
    ExportAttempt,
    ExportRun,
    ExportRunStatus,
    ExportTrigger,
    XeroConnection,
)
from integrations.xero.services import xero_settings_get, xero_token_refresh
from invoicing.models import EXPORTABLE_STATUSES, Invoice, InvoiceStatus
from tenancy.models import Tenant, User
from tenancy.timefmt import tenant_time_text

logger = logging.getLogger(__name__)

DONE_STATUSES = (ExportRunStatus.FINISHED, ExportRunStatus.BLOCKED)
OPEN_STATUSES = (ExportRunStatus.QUEUED, ExportRunStatus.RUNNING, ExportRunStatus.DEFERRED)
#: Longest countdown we put on a task; a later wake-up re-checks and reschedules.
MAX_COUNTDOWN = 3000.0
UNKNOWN_BACKOFF = 2.0


def stuck_after() -> dt.timedelta:
    """A claim's lease: an invoice EXPORTING for longer is settled by the periodic recovery. Longer
    than a step can take (one call of ``XERO_HTTP_TIMEOUT`` plus a token refresh and a retry)."""
    return dt.timedelta(seconds=getattr(settings, "XERO_EXPORT_STUCK_SECONDS", 60))


def stall_grace() -> dt.timedelta:
    """How late a run's next step may be before recovery re-publishes it."""
    return dt.timedelta(seconds=getattr(settings, "XERO_EXPORT_STALL_GRACE_SECONDS", 15))


@dataclass(frozen=True)
class StepResult:
    """``again`` → run another step after ``countdown`` seconds, as message number ``seq``."""

    again: bool
    countdown: float = 0.0
    seq: int | None = None


def export_run_publish(*, run_id: int, seq: int, countdown: float = 0.0) -> bool:
    """Queue step ``seq`` of the run; False when the broker cannot be reached.

    Never raises for a broker outage: the run's ``next_step_at`` is its outbox, and the periodic
    recovery re-publishes a run whose next step is overdue, so nothing is lost while the broker is away.
    """
    from integrations.xero.export.tasks import export_run_task

    try:
        export_run_task.apply_async(
            (run_id,), {"seq": seq}, countdown=countdown, retry=True, retry_policy={"max_retries": 2}
        )
    except (KombuOperationalError, OSError, RedisError) as exc:
        logger.warning("export run %s: the broker is unreachable (%r); recovery will queue it", run_id, exc)
        ExportRun.objects.filter(pk=run_id).update(queue_unreachable_at=timezone.now())
        return False
    return True


def export_run_start(
    *,
    tenant: Tenant,
    trigger: str,
    user: User | None = None,
    invoice_ids: Sequence[int] | None = None,
    enqueue: bool = True,
    retry_failed: bool = False,
) -> ExportRun:
    """Create a run over the selected invoices (or every *ready* one) and queue it after commit.

    Selected invoices may be ready or export-failed (a corrected one is exported again); "all"
    means the ready ones, plus the export-failed ones with ``retry_failed`` (the Export all button
    says so: "Export all 28 ready · retry 1 failed"; the nightly export leaves failures to a person).
    Nothing is claimed yet — claiming happens batch by batch.
    """
    qs = Invoice.objects.filter(tenant=tenant)
    if invoice_ids is None:
        qs = qs.filter(status__in=EXPORTABLE_STATUSES if retry_failed else [InvoiceStatus.READY])
    else:
        qs = qs.filter(id__in=invoice_ids, status__in=EXPORTABLE_STATUSES)
    ids = list(qs.order_by("id").values_list("id", flat=True))
    # Invoices Xero would refuse stay on Ready to Export, flagged, instead of being sent to fail.
    split = invoice_ids_preflight_split(tenant=tenant, invoice_ids=ids)
    ids = split.passing
    held = preflight_held_message(tenant=tenant, held=split.held) if split.held else ""
    with transaction.atomic():
        run = ExportRun.objects.create(
            tenant=tenant,
            trigger=trigger,
            requested_by=user,
            total_count=len(ids),
            status=ExportRunStatus.QUEUED,
            message=held,
            next_step_at=timezone.now() if ids else None,
        )
        through = ExportRun.invoices.through
        through.objects.bulk_create([through(exportrun_id=run.id, invoice_id=i) for i in ids], batch_size=2000)
        if not ids:
            run.status, run.finished_at, run.message = (
                ExportRunStatus.FINISHED,
                timezone.now(),
                held or "Nothing to export.",
            )
            run.save(update_fields=["status", "finished_at", "message"])
        elif enqueue:
            transaction.on_commit(lambda: export_run_publish(run_id=run.id, seq=run.step_seq))
    return run


@contextmanager
def _run_lock(run_id: int) -> Iterator[bool]:
    """Session-level advisory lock: one step of a run at a time, released if the worker dies."""
    key = zlib.crc32(f"xero-export-run:{run_id}".encode())
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = bool(cur.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [key])


def export_run_step(*, run_id: int, seq: int | None = None) -> StepResult:
    """Advance run ``run_id`` by at most one batch.

    ``seq``: the step message's number; an older one than the run's is a duplicate and does nothing
    (None, in-process driving: always step). The returned ``seq`` goes on the next message.
    """
    with _run_lock(run_id) as got:
        if not got:
            return StepResult(again=False)  # another worker is stepping this run
        run = ExportRun.objects.select_related("tenant").get(pk=run_id)
        if seq is not None and seq != run.step_seq:
            return StepResult(again=False)
        # Heartbeat: working on it; recovery leaves the run alone until the lease is over.
        ExportRun.objects.filter(pk=run_id).update(
            next_step_at=timezone.now() + stuck_after(), queue_unreachable_at=None
        )
        step = _step(run)
        next_seq = run.step_seq + 1
        next_at = timezone.now() + dt.timedelta(seconds=step.countdown) if step.again else None
        ExportRun.objects.filter(pk=run_id).update(step_seq=next_seq, next_step_at=next_at)
        return StepResult(again=step.again, countdown=step.countdown, seq=next_seq)


def _step(run: ExportRun) -> StepResult:
    now = timezone.now()
    if run.status in DONE_STATUSES:
        return StepResult(again=False)
    if run.status == ExportRunStatus.DEFERRED and run.deferred_until and run.deferred_until > now:
        return StepResult(again=True, countdown=min((run.deferred_until - now).total_seconds(), MAX_COUNTDOWN))
    if run.status != ExportRunStatus.RUNNING:
        run.status, run.started_at, run.deferred_until = ExportRunStatus.RUNNING, run.started_at or now, None
        run.save(update_fields=["status", "started_at", "deferred_until"])
    conn = XeroConnection.objects.filter(tenant_id=run.tenant_id).first()
    try:
        if conn is None:
            raise XeroNotConnected("Xero is not connected.")
        if not conn.is_usable:
            raise XeroReconnectRequired(conn.status_detail or "The Xero connection needs reconnecting.")
        api, org = xero_accounting_api(connection=conn), conn.xero_tenant_id
        # 1. Settle what this run left unknown (or a killed worker left pending) before any resend.
        unknown = _run_unsettled(run)
        if unknown:
            invoices_settle_unknown(api=api, org=org, invoices=unknown, run_id=run.id)
            _counts_update(run)
            return StepResult(again=True)
        # 2. The next batch.
        candidates = _run_candidates(run)
        if not candidates:
            _finish(run)
            return StepResult(again=False)
        contact_errors = contacts_ensure(
            api=api, org=org, customers={i.customer_id: i.customer for i in candidates}.values()
        )
        result = batch_send(
            api=api,
            org=org,
            run=run,
            xero_settings=xero_settings_get(tenant=run.tenant),
            candidate_ids=[i.id for i in candidates],
            contact_errors=contact_errors,
        )
        _counts_update(run)
        if result.status == 401:
            # Xero refused our token although it looked fresh to us (revoked, clock skew): renew it.
            xero_token_refresh(connection_id=conn.id, force=True)
        return StepResult(again=True, countdown=UNKNOWN_BACKOFF if result.unknown or result.retry else 0.0)
    except DayLimitReached as exc:
        _defer(run, exc.wait_seconds)
        return StepResult(again=True, countdown=min(exc.wait_seconds, MAX_COUNTDOWN))
    except RateLimited as exc:
        return StepResult(again=True, countdown=min(exc.wait_seconds, MAX_COUNTDOWN))
    except (XeroReconnectRequired, XeroNotConnected) as exc:
        _block(run, str(exc))
        return StepResult(again=False)
    except (HTTPStatusException, urllib3.exceptions.HTTPError, OSError, XeroTokenError) as exc:
        # A contact or look-up call failed transiently; nothing unsafe happened — try again soon.
        logger.info("export run %s: transient Xero error %r; retrying", run.id, exc)
        return StepResult(again=True, countdown=UNKNOWN_BACKOFF)


def _run_unsettled(run: ExportRun) -> list[Invoice]:
    """Invoices this run claimed and has not settled: still EXPORTING, and their latest attempt is
    this run's, pending or unknown. An invoice another run claimed since (its latest attempt is that
    run's) is not ours to settle, even if an older attempt of ours for it is still unknown."""
    latest = (
        ExportAttempt.objects.filter(invoice_id=OuterRef("invoice_id")).order_by("-started_at", "-id").values("id")[:1]
    )
    ids = (
        ExportAttempt.objects.filter(
            run=run,
            outcome__in=[AttemptOutcome.PENDING, AttemptOutcome.UNKNOWN],
            invoice__status=InvoiceStatus.EXPORTING,
        )
        .filter(id=Subquery(latest))
        .values_list("invoice_id", flat=True)
    )
    return list(Invoice.objects.filter(id__in=list(ids)).order_by("id")[:BATCH_SIZE])


def _run_candidates(run: ExportRun) -> list[Invoice]:
    """Next ≤50 exportable invoices of the run that did not already fail in this run."""
    failed_here = ExportAttempt.objects.filter(run=run, outcome=AttemptOutcome.FAILED).values("invoice_id")
    return list(
        run.invoices.filter(status__in=EXPORTABLE_STATUSES)
        .exclude(id__in=failed_here)
        .select_related("customer")
        .order_by("id")[:BATCH_SIZE]
    )


def _counts_update(run: ExportRun) -> None:
    agg = ExportAttempt.objects.filter(run=run).aggregate(
        exported=Count(
            "invoice", filter=Q(outcome__in=[AttemptOutcome.EXPORTED, AttemptOutcome.ADOPTED]), distinct=True
        ),
        failed=Count("invoice", filter=Q(outcome=AttemptOutcome.FAILED), distinct=True),
    )
    run.exported_count, run.failed_count = agg["exported"], agg["failed"]
    ExportRun.objects.filter(pk=run.pk).update(exported_count=run.exported_count, failed_count=run.failed_count)


def _finish(run: ExportRun) -> None:
    _counts_update(run)
    skipped = run.total_count - run.exported_count - run.failed_count
    run.status, run.finished_at = ExportRunStatus.FINISHED, timezone.now()
    held = run.message if run.message.startswith(PREFLIGHT_HELD) else ""
    run.message = f"{run.exported_count} exported, {run.failed_count} failed" + (
        f", {skipped} not exported by this run (already exported, exporting elsewhere or changed)"
        if skipped > 0
        else ""
    )
    run.message += f". {held}" if held else ""
    run.save(update_fields=["status", "finished_at", "message"])


def _defer(run: ExportRun, seconds: float) -> None:
    until = timezone.now() + dt.timedelta(seconds=seconds)
    run.status, run.deferred_until = ExportRunStatus.DEFERRED, until
    run.message = (
        "Xero's daily call limit is reached; the rest continues after "
        f"{tenant_time_text(tenant=run.tenant, moment=until)}."
    )
    run.save(update_fields=["status", "deferred_until", "message"])


def _block(run: ExportRun, reason: str) -> None:
    """Reconnect needed: stop, and give back what was claimed but never sent."""
    retry_ids = ExportAttempt.objects.filter(run=run, outcome=AttemptOutcome.RETRY).values("invoice_id")
    Invoice.objects.filter(id__in=retry_ids, status=InvoiceStatus.EXPORTING).update(
        status=InvoiceStatus.READY, exporting_since=None
    )
    _counts_update(run)
    run.status, run.finished_at = ExportRunStatus.BLOCKED, timezone.now()
    run.message = f"Stopped: {reason} An admin must reconnect Xero; then export again."
    run.save(update_fields=["status", "finished_at", "message"])


def export_recover_stuck(*, older_than: dt.timedelta | None = None) -> dict[str, int]:
    """Periodic (every ``XERO_EXPORT_RECOVERY_SECONDS`` from beat): settle claims past their lease
    by look-up in Xero, and re-publish runs whose next step is overdue.

    Cheap when nothing is stuck: two indexed queries that find nothing. ``older_than`` overrides
    the lease (tests, an operator who knows the worker is dead): 0 treats every claim as stuck.
    """
    grace = None if older_than is None else older_than - stuck_after()
    older_than = stuck_after() if older_than is None else older_than
    totals = {"adopted": 0, "released": 0, "runs_woken": 0}
    stuck = invoices_stuck(older_than=older_than)
    by_tenant: dict[int, list[Invoice]] = {}
    for inv in stuck:
        by_tenant.setdefault(inv.tenant_id, []).append(inv)
    for tenant_id, invoices in by_tenant.items():
        conn = XeroConnection.objects.filter(tenant_id=tenant_id).first()
        if conn is None or not conn.is_usable:
            continue
        api = xero_accounting_api(connection=conn)
        try:
            adopted, released = invoices_settle_unknown(api=api, org=conn.xero_tenant_id, invoices=invoices)
        except (RateLimited, XeroReconnectRequired) as exc:
            logger.info("stuck invoices of tenant %s left for later: %s", tenant_id, exc)
            continue
        totals["adopted"] += adopted
        totals["released"] += released
    totals["runs_woken"] = _runs_wake(grace=grace)
    return totals


def export_runs_stalled(*, grace: dt.timedelta | None = None) -> QuerySet[ExportRun]:
    """Open runs whose next step is overdue by more than ``grace``: their step message was lost
    (broker outage, killed worker) or never published (broker down when the run was started)."""
    cutoff = timezone.now() - (stall_grace() if grace is None else grace)
    return ExportRun.objects.filter(status__in=OPEN_STATUSES, next_step_at__lte=cutoff)


def _runs_wake(*, grace: dt.timedelta | None = None) -> int:
    """Re-publish stalled runs under their current message number: if the old message turns up after
    all, whichever runs first goes on and the other is dropped, so a run never gets two chains."""
    woken = 0
    for run_id, seq in export_runs_stalled(grace=grace).values_list("id", "step_seq"):
        if export_run_publish(run_id=run_id, seq=seq):
            woken += 1
    return woken


def export_run_drive(*, run_id: int, max_wait: float = 3600.0) -> ExportRun:
    """Run every step in this process until the run is done (command line ``--wait``, tests).

    This is not a worker: sleeping here between steps blocks nobody else.
    """
    import time

    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        step = export_run_step(run_id=run_id)
        run = ExportRun.objects.get(pk=run_id)
        if run.status in DONE_STATUSES:
            return run
        if not step.again:  # another worker holds the run: give it a moment
            time.sleep(0.5)
        elif step.countdown:
            time.sleep(min(step.countdown, max(deadline - time.monotonic(), 0)))
    return ExportRun.objects.get(pk=run_id)


def export_trigger_label(trigger: str) -> str:
    return str(ExportTrigger(trigger).label)


class MarkExportedError(ValueError):
    pass


def invoice_mark_exported(*, invoice: Invoice, user: User, reason: str, xero_invoice_id: str = "") -> Invoice:
    """An admin records that an invoice is in Xero (resolved there by hand), with a reason.

    Allowed from ready, export-failed or a stuck exporting; leaves an attempt row as the audit trail.
    """
    reason = reason.strip()
    if not reason:
        raise MarkExportedError("Say why the invoice is marked exported.")
    allowed = [*EXPORTABLE_STATUSES, InvoiceStatus.EXPORTING]
    now = timezone.now()
    with transaction.atomic():
        changed = Invoice.objects.filter(pk=invoice.pk, status__in=allowed).update(
            status=InvoiceStatus.EXPORTED,
            exported_at=now,
            exporting_since=None,
            export_error="",
            export_note=(
                f"Marked exported by {user.email} on {tenant_time_text(tenant=invoice.tenant, moment=now)}: {reason}"
            ),
            xero_invoice_id=xero_invoice_id.strip()[:36] or invoice.xero_invoice_id,
        )
        if not changed:
            raise MarkExportedError(f"Invoice {invoice.number} is {invoice.get_status_display().lower()}.")
        ExportAttempt.objects.create(
            invoice=invoice,
            idempotency_key="",
            started_at=now,
            finished_at=now,
            outcome=AttemptOutcome.EXPORTED,
            error=f"Marked exported by hand by {user.email}: {reason}",
        )
    invoice.refresh_from_db()
    return invoice
