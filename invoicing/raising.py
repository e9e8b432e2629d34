"""Raising thousands of invoices: chunked commits, and background runs with live progress.

Why chunks: one transaction over 10,000 jobs would hold their row locks (and the invoice number
sequence's row lock) for seconds, blocking every edit and every other raise of the tenant. Each
chunk of about :data:`CHUNK_JOBS` jobs is raised by :func:`invoice_raise_ids` in its own
short transaction; a consolidated customer's jobs always stay in one chunk, so they still get one
invoice. A request raises at most :data:`SYNC_LIMIT` jobs itself; larger selections, and "raise
everything", become a :class:`RaiseRun` that a Celery worker executes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking
from customers.models import Customer, InvoicingRule
from invoicing.models import RaiseRun, RaiseRunStatus
from invoicing.services import invoice_raise_ids
from jobs.models import COMPLETED
from tenancy.models import Tenant, User
from warehouse.models import WarehouseJob

logger = logging.getLogger(__name__)

# Jobs per transaction: ~0.3 s of work on the development machine, far under a second.
CHUNK_JOBS = 1000
# A request raises this many jobs itself; a larger selection runs in the background.
SYNC_LIMIT = 200
# Refusal reasons (invoices too large or negative) written on a finished run's page.
REFUSALS_SHOWN = 5


@dataclass(frozen=True)
class RaiseSelection:
    """What to invoice: every completed job, or the completed jobs of some customers plus some jobs."""

    everything: bool = False
    customer_ids: tuple[int, ...] = ()
    booking_ids: tuple[int, ...] = ()
    warehouse_ids: tuple[int, ...] = ()

    def q(self, model: type[Booking] | type[WarehouseJob]) -> Q:
        if self.everything:
            return Q()
        ids = self.booking_ids if model is Booking else self.warehouse_ids
        return Q(pk__in=list(ids)) | Q(customer_id__in=list(self.customer_ids))


@dataclass
class RaiseChunk:
    booking_ids: list[int] = field(default_factory=list)
    warehouse_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.booking_ids) + len(self.warehouse_ids)


@dataclass
class RaiseTally:
    jobs_total: int = 0
    jobs_done: int = 0
    jobs_invoiced: int = 0
    invoices_raised: int = 0
    invoice_ids: list[int] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # invoices left out, and why


def raise_selection_count(*, tenant: Tenant, selection: RaiseSelection) -> int:
    """Completed jobs the selection covers (two COUNT queries), to choose between now and background."""
    return sum(
        model._default_manager.filter(selection.q(model), tenant=tenant, status=COMPLETED).count()
        for model in (Booking, WarehouseJob)
    )


def raise_chunks_plan(*, tenant: Tenant, selection: RaiseSelection, chunk_jobs: int = CHUNK_JOBS) -> list[RaiseChunk]:
    """Split the selection's completed jobs into chunks; never splits a consolidated customer.

    Reads ids only (no locks): each chunk is locked and re-checked when it is raised.
    """
    rows: list[tuple[int, str, int, str]] = []  # customer, kind, pk, number
    for kind, model in (("b", Booking), ("w", WarehouseJob)):
        found = model._default_manager.filter(selection.q(model), tenant=tenant, status=COMPLETED)
        rows += [(c, kind, pk, n) for c, pk, n in found.values_list("customer_id", "pk", "number").order_by()]
    # Invoice numbers follow job order, as when raising in one go: bookings, then warehouse jobs.
    rows.sort(key=lambda r: (r[1], len(r[3]), r[3]))
    consolidated = set(
        Customer.objects.filter(
            tenant=tenant, pk__in={r[0] for r in rows}, invoicing_rule=InvoicingRule.CONSOLIDATED
        ).values_list("pk", flat=True)
    )
    blocks: dict[int, list[tuple[str, int]]] = {}
    singles: list[tuple[str, int]] = []
    for customer_id, kind, pk, _number in rows:
        if customer_id in consolidated:
            blocks.setdefault(customer_id, []).append((kind, pk))
        else:
            singles.append((kind, pk))
    chunks: list[RaiseChunk] = [RaiseChunk()]

    def add(items: Iterable[tuple[str, int]]) -> None:
        for kind, pk in items:
            (chunks[-1].booking_ids if kind == "b" else chunks[-1].warehouse_ids).append(pk)

    for block in blocks.values():
        if chunks[-1] and len(chunks[-1]) + len(block) > chunk_jobs:
            chunks.append(RaiseChunk())
        add(block)
    for start in range(0, len(singles), chunk_jobs):
        part = singles[start : start + chunk_jobs]
        if chunks[-1] and len(chunks[-1]) + len(part) > chunk_jobs:
            chunks.append(RaiseChunk())
        add(part)
    return [chunk for chunk in chunks if chunk]


def invoices_raise_chunked(
    *,
    tenant: Tenant,
    selection: RaiseSelection,
    mark_ready: bool,
    user: User | None = None,
    chunk_jobs: int = CHUNK_JOBS,
    progress: Callable[[RaiseTally], None] | None = None,
) -> RaiseTally:
    """Raise the selection chunk by chunk, committing each; ``progress`` is called after each chunk.

    Must not run inside an outer transaction (the chunks would not commit separately). A failure
    leaves the chunks before it committed; their jobs are invoiced, the rest stay completed, so
    running the same selection again finishes the work without duplicates.
    """
    chunks = raise_chunks_plan(tenant=tenant, selection=selection, chunk_jobs=chunk_jobs)
    tally = RaiseTally(jobs_total=sum(len(c) for c in chunks))
    for chunk in chunks:
        result = invoice_raise_ids(
            tenant=tenant,
            booking_q=Q(pk__in=chunk.booking_ids),
            warehouse_q=Q(pk__in=chunk.warehouse_ids),
            mark_ready=mark_ready,
            user=user,
        )
        tally.jobs_done += len(chunk)
        tally.jobs_invoiced += result.jobs
        tally.invoices_raised += len(result.invoice_ids)
        tally.invoice_ids += result.invoice_ids
        tally.refusals += result.refusals
        if progress is not None:
            progress(tally)
    return tally


def raise_run_start(*, tenant: Tenant, selection: RaiseSelection, mark_ready: bool, user: User | None) -> RaiseRun:
    """Record a background raise and queue it once the surrounding transaction commits."""
    from invoicing.tasks import raise_run_task

    run = RaiseRun.objects.create(
        tenant=tenant,
        created_by=user,
        mark_ready=mark_ready,
        everything=selection.everything,
        customer_ids=list(selection.customer_ids),
        booking_ids=list(selection.booking_ids),
        warehouse_ids=list(selection.warehouse_ids),
        jobs_total=raise_selection_count(tenant=tenant, selection=selection),
    )
    transaction.on_commit(lambda: raise_run_task.delay(run.pk))
    return run


def raise_run_execute(*, run_id: int) -> RaiseRun | None:
    """The worker's side: claim the run, raise it in chunks, record progress after each chunk.

    A redelivered task (worker lost) may claim a running run again; that is safe because jobs
    already invoiced are no longer completed and are not raised twice.
    """
    claimed = RaiseRun.objects.filter(pk=run_id, status__in=[RaiseRunStatus.QUEUED, RaiseRunStatus.RUNNING]).update(
        status=RaiseRunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = RaiseRun.objects.select_related("tenant", "created_by").get(pk=run_id)
    selection = RaiseSelection(
        everything=run.everything,
        customer_ids=tuple(run.customer_ids),
        booking_ids=tuple(run.booking_ids),
        warehouse_ids=tuple(run.warehouse_ids),
    )

    def progress(tally: RaiseTally) -> None:
        RaiseRun.objects.filter(pk=run_id).update(
            jobs_total=tally.jobs_total,
            jobs_done=tally.jobs_done,
            jobs_invoiced=tally.jobs_invoiced,
            invoices_raised=tally.invoices_raised,
        )

    try:
        tally = invoices_raise_chunked(
            tenant=run.tenant, selection=selection, mark_ready=run.mark_ready, user=run.created_by, progress=progress
        )
    except Exception as exc:
        logger.exception("raise run %s failed", run_id)
        RaiseRun.objects.filter(pk=run_id).update(
            status=RaiseRunStatus.FAILED,
            finished_at=timezone.now(),
            error=f"Raising stopped: {type(exc).__name__}. Invoices raised so far are kept; start again to finish.",
        )
    else:
        progress(tally)
        note = ""
        if tally.refusals:
            shown = " ".join(tally.refusals[:REFUSALS_SHOWN])
            more = len(tally.refusals) - REFUSALS_SHOWN
            note = f"{len(tally.refusals)} invoice(s) not raised, their jobs stay completed: {shown}"
            note += f" … and {more} more." if more > 0 else ""
        RaiseRun.objects.filter(pk=run_id).update(status=RaiseRunStatus.DONE, finished_at=timezone.now(), error=note)
    run.refresh_from_db()
    return run
