"""Celery tasks of the Xero connection: thin callers of the token and cache services."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from integrations.xero.exceptions import XeroError
from integrations.xero.export.calls import RateLimited
from integrations.xero.models import ConnectionStatus, XeroConnection
from integrations.xero.payments import xero_payments_poll, xero_webhook_events_process
from integrations.xero.settings_services import xero_org_cache_refresh
from integrations.xero.tokens import xero_token_refresh
from tenancy.models import Tenant

logger = logging.getLogger(__name__)

#: Refresh tokens die after 60 days unused; refreshing idle connections monthly keeps them alive.
KEEPALIVE_AFTER = dt.timedelta(days=30)


@shared_task(ignore_result=True)
def xero_tokens_keepalive() -> int:
    """Refresh connections not refreshed for 30 days (daily: CELERY_BEAT_SCHEDULE in settings)."""
    cutoff = timezone.now() - KEEPALIVE_AFTER
    ids = list(
        XeroConnection.objects.filter(status=ConnectionStatus.ACTIVE)
        .filter(Q(last_refreshed_at__lt=cutoff) | Q(last_refreshed_at__isnull=True, connected_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    refreshed = 0
    for connection_id in ids:
        try:
            xero_token_refresh(connection_id=connection_id, force=True)
            refreshed += 1
        except XeroError as exc:
            logger.warning("Keep-alive refresh of Xero connection %s failed: %s", connection_id, exc)
    return refreshed


@shared_task(ignore_result=True)
def xero_org_cache_refresh_task(tenant_id: int) -> None:
    xero_org_cache_refresh(tenant=Tenant.objects.get(pk=tenant_id))


# --- Payment status back from Xero (thin callers of integrations.xero.payments) -------------------


@shared_task(bind=True, ignore_result=True, name="xero_payments.process_events", max_retries=None)
def xero_payment_events_process_task(self: Any) -> None:
    """Re-read the invoices named by recorded webhook events; a rate limit reschedules, never sleeps."""
    try:
        xero_webhook_events_process()
    except RateLimited as exc:
        raise self.retry(countdown=exc.wait_seconds) from exc


@shared_task(ignore_result=True, name="xero_payments.poll_all")
def xero_payments_poll_all_task() -> None:
    """Beat entry: one poll task per active connection (the safety net behind webhooks)."""
    for connection_id in XeroConnection.objects.filter(status=ConnectionStatus.ACTIVE).values_list("pk", flat=True):
        xero_payments_poll_task.delay(connection_id)


@shared_task(bind=True, ignore_result=True, name="xero_payments.poll", max_retries=None)
def xero_payments_poll_task(self: Any, connection_id: int) -> None:
    connection = XeroConnection.objects.select_related("tenant").filter(pk=connection_id).first()
    if connection is None or not connection.is_usable:
        return
    try:
        xero_payments_poll(connection=connection)
    except RateLimited as exc:
        raise self.retry(countdown=exc.wait_seconds) from exc
    except XeroError as exc:
        logger.warning("Payment poll of Xero connection %s failed: %s", connection_id, exc)
