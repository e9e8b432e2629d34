"""The nightly export: one django-celery-beat ``PeriodicTask`` per tenant with nightly export on.

Its ``CrontabSchedule`` carries the tenant's own timezone, so "02:00" means 02:00 in Sydney for a
Sydney tenant, across daylight-saving changes. Kept in sync whenever XeroSettings are saved.
"""

from __future__ import annotations

import json

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from integrations.xero.models import XeroSettings
from tenancy.models import Tenant

NIGHTLY_TASK = "xero_export.nightly"


def nightly_task_name(tenant_id: int) -> str:
    return f"xero-nightly-export-tenant-{tenant_id}"


def nightly_schedule_sync(*, tenant: Tenant) -> PeriodicTask | None:
    """Create, update or remove the tenant's nightly beat entry from its XeroSettings."""
    xs = XeroSettings.objects.filter(tenant=tenant).first()
    name = nightly_task_name(tenant.id)
    with transaction.atomic():
        if xs is None or not xs.nightly_export_enabled:
            PeriodicTask.objects.filter(name=name).delete()
            return None
        at = xs.nightly_export_time
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(at.minute),
            hour=str(at.hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=tenant.timezone or "UTC",
        )
        task, created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": NIGHTLY_TASK, "crontab": crontab, "args": json.dumps([tenant.id]), "enabled": True},
        )
        if not created and (task.crontab_id != crontab.id or not task.enabled or task.task != NIGHTLY_TASK):
            task.crontab, task.enabled, task.task = crontab, True, NIGHTLY_TASK
            task.args = json.dumps([tenant.id])
            task.save()
        return task


def nightly_export_wanted(*, tenant_id: int) -> bool:
    """The beat entry may outlive a settings change by a tick: re-check before exporting."""
    return XeroSettings.objects.filter(tenant_id=tenant_id, nightly_export_enabled=True).exists()
