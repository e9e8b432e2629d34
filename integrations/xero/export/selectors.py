"""Reads for the export pages (all scoped by the caller's tenant)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from integrations.xero.models import AttemptOutcome, ExportAttempt, ExportRun, ExportRunStatus
from invoicing.models import Invoice, InvoiceStatus
from invoicing.problems import export_problems_group
from invoicing.selectors import invoices_export_problems_attach
from tenancy.models import Tenant


@dataclass(frozen=True)
class RunProgress:
    total: int
    exported: int
    failed: int
    exporting: int
    waiting: int
    done: bool
    elsewhere: int = 0  # invoices of this run that another export is sending

    @property
    def settled(self) -> int:
        return self.exported + self.failed

    @property
    def percent(self) -> int:
        return 100 if self.done or not self.total else min(100, round(100 * self.settled / self.total))


def export_runs(*, tenant: Tenant) -> QuerySet[ExportRun]:
    return ExportRun.objects.filter(tenant=tenant).select_related("requested_by").order_by("-created_at", "-id")


def export_run_progress(*, run: ExportRun) -> RunProgress:
    # "Being sent" by this run means claimed by it: its attempt is the invoice's latest. An invoice
    # of this run that another export has claimed is counted apart ("elsewhere").
    latest_run = Subquery(
        ExportAttempt.objects.filter(invoice_id=OuterRef("pk")).order_by("-started_at", "-id").values("run_id")[:1]
    )
    agg = run.invoices.annotate(latest_run=latest_run).aggregate(
        exporting=Count("id", filter=Q(status=InvoiceStatus.EXPORTING, latest_run=run.pk)),
        elsewhere=Count("id", filter=Q(status=InvoiceStatus.EXPORTING) & ~Q(latest_run=run.pk)),
        waiting=Count("id", filter=Q(status__in=[InvoiceStatus.READY, InvoiceStatus.EXPORT_FAILED])),
    )
    attempts = ExportAttempt.objects.filter(run=run).aggregate(
        exported=Count(
            "invoice", filter=Q(outcome__in=[AttemptOutcome.EXPORTED, AttemptOutcome.ADOPTED]), distinct=True
        ),
        failed=Count("invoice", filter=Q(outcome=AttemptOutcome.FAILED), distinct=True),
    )
    done = run.status in (ExportRunStatus.FINISHED, ExportRunStatus.BLOCKED)
    return RunProgress(
        total=run.total_count,
        exported=attempts["exported"],
        failed=attempts["failed"],
        exporting=agg["exporting"],
        waiting=agg["waiting"],
        elsewhere=agg["elsewhere"],
        done=done,
    )


def export_run_invoices(*, run: ExportRun) -> QuerySet[Invoice]:
    """The run's invoices with their current state: failed first (they need someone), then the
    ones in flight, waiting, and exported; by number within each."""
    rank = Case(
        When(status=InvoiceStatus.EXPORT_FAILED, then=Value(0)),
        When(status=InvoiceStatus.EXPORTING, then=Value(1)),
        When(status=InvoiceStatus.READY, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return run.invoices.select_related("customer").annotate(rank=rank).order_by("rank", "number")


def export_run_attempts(*, run: ExportRun) -> QuerySet[ExportAttempt]:
    return ExportAttempt.objects.filter(run=run).select_related("invoice").order_by("started_at", "id")


def xero_invoice_link(xero_invoice_id: str) -> str:
    """Where "open in Xero" goes (settings.XERO_INVOICE_LINK; the sandbox's page in development)."""
    if not xero_invoice_id:
        return ""
    return str(settings.XERO_INVOICE_LINK).format(id=xero_invoice_id)


def export_run_problems_attach(*, run: ExportRun, invoices: list[Invoice]) -> None:
    """``export_problems`` of the failed invoices on a run page: Xero's messages once each, tied to
    the lines of what this run sent (the invoice's own lines when nothing was sent). Two queries."""
    invoices_export_problems_attach(invoices=invoices)
    failed = [inv for inv in invoices if inv.status == InvoiceStatus.EXPORT_FAILED and inv.export_error]
    sent: dict[int, list[dict[str, object]]] = {}
    attempts = ExportAttempt.objects.filter(run=run, invoice__in=failed, outcome=AttemptOutcome.FAILED)
    for invoice_id, payload in attempts.order_by("started_at", "id").values_list("invoice_id", "request_payload"):
        items = (payload or {}).get("LineItems") if isinstance(payload, dict) else None
        if items:
            sent[invoice_id] = [item for item in items if isinstance(item, dict)]
    for inv in failed:
        if inv.pk in sent:
            inv.export_problems = export_problems_group(text=inv.export_error, lines=sent[inv.pk])  # type: ignore[attr-defined]


def export_run_stalled_since(*, run: ExportRun) -> dt.datetime | None:
    """When an open run's next step fell due, if it is overdue by more than the grace (its step
    message was lost: broker outage, killed worker); None while the run moves or is done."""
    if run.status not in (ExportRunStatus.QUEUED, ExportRunStatus.RUNNING, ExportRunStatus.DEFERRED):
        return None
    grace = dt.timedelta(seconds=getattr(settings, "XERO_EXPORT_STALL_GRACE_SECONDS", 15))
    if run.next_step_at is None or run.next_step_at > timezone.now() - grace:
        return None
    return run.next_step_at


def export_run_stall_notice(*, run: ExportRun) -> str:
    """What the run page says about a stalled run: since when (tenant's time zone) and what happens next."""
    since = export_run_stalled_since(run=run)
    if since is None:
        return ""
    tz_name = run.tenant.timezone
    local = since.astimezone(zoneinfo.ZoneInfo(tz_name))
    every = int(getattr(settings, "XERO_EXPORT_RECOVERY_SECONDS", 30))
    return (
        f"Stalled: no progress since {local:%H:%M:%S} ({tz_name}). The background worker or its queue "
        f"was interrupted. Recovery checks every {every} seconds and resumes this export by itself; "
        "invoices that may already be in Xero are looked up there first, never sent twice."
    )
