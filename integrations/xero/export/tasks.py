"""Celery tasks of the export engine — thin: ids in, services do the work.

``export_run_task`` advances a run by one batch and re-enqueues itself (at the back of the queue,
so tenants interleave); waits are countdowns, never sleeps.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings

from integrations.xero.export.schedule import nightly_export_wanted
from integrations.xero.export.services import (
    export_recover_stuck,
    export_run_drive,
    export_run_publish,
    export_run_start,
    export_run_step,
)
from integrations.xero.models import ExportTrigger
from tenancy.models import Tenant

logger = logging.getLogger(__name__)


@shared_task(name="xero_export.run", bind=True, ignore_result=True, max_retries=20)
def export_run_task(self: Any, run_id: int, seq: int | None = None) -> None:
    """One step of run ``run_id``; ``seq`` numbers the message (an outdated duplicate does nothing)."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        # Eager mode (development without a worker): loop here instead of recursing via apply_async.
        export_run_drive(run_id=run_id)
        return
    try:
        step = export_run_step(run_id=run_id, seq=seq)
    except Exception as exc:
        # Keep the run going after an unexpected error (its attempts stay pending and are looked
        # up first next time); if even the retry cannot be queued, the periodic recovery takes over.
        logger.exception("export run %s step failed", run_id)
        raise self.retry(exc=exc, countdown=30) from exc
    if step.again and step.seq is not None:
        # A broker outage here loses nothing: the run's next_step_at says the step is due.
        export_run_publish(run_id=run_id, seq=step.seq, countdown=step.countdown)


@shared_task(name="xero_export.recover_stuck", ignore_result=True)
def export_recover_stuck_task() -> dict[str, Any]:
    return export_recover_stuck()


@shared_task(name="xero_export.nightly", ignore_result=True)
def export_nightly_task(tenant_id: int) -> None:
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None or not nightly_export_wanted(tenant_id=tenant_id):
        return
    export_run_start(tenant=tenant, trigger=ExportTrigger.NIGHTLY)
