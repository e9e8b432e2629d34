"""Celery tasks of the invoicing app (thin: services do the work)."""

from __future__ import annotations

import logging

from celery import shared_task

from invoicing.scheduled import invoices_raise_scheduled
from tenancy.models import Tenant

logger = logging.getLogger(__name__)


@shared_task(name="invoicing.raise_scheduled")
def invoices_raise_scheduled_task() -> int:
    """Hourly: each tenant whose local day is a consolidation day gets its scheduled invoices.

    One tenant's failure is logged and does not stop the others.
    """
    raised = 0
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        try:
            raised += len(invoices_raise_scheduled(tenant=Tenant.objects.get(pk=tenant_id)))
        except Exception:
            logger.exception("scheduled invoice raise failed for tenant %s", tenant_id)
    return raised


@shared_task(name="invoicing.raise_run", ignore_result=True)
def raise_run_task(run_id: int) -> None:
    """Raise a large selection in chunks, recording progress (``invoicing.raising``)."""
    from invoicing.raising import raise_run_execute

    raise_run_execute(run_id=run_id)
