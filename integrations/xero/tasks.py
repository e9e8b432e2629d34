"""Celery tasks of the Xero connection: thin callers of the token and cache services."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from integrations.xero.exceptions import XeroError
from integrations.xero.models import ConnectionStatus, XeroConnection
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
