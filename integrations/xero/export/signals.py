"""Keep the nightly beat entry in step with the tenant's Xero settings (connected in apps.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from integrations.xero.export.schedule import nightly_schedule_sync
from integrations.xero.models import XeroSettings


@receiver(post_save, sender=XeroSettings, dispatch_uid="xero_export_nightly_sync")
def xero_settings_saved(sender: type[XeroSettings], instance: XeroSettings, **kwargs: Any) -> None:
    nightly_schedule_sync(tenant=instance.tenant)
