"""Track & trace: the timeline of status events of every booking and warehouse job."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.refs import exactly_one_job, job_link_fields
from tenancy.models import Tenant


class EventCode(models.TextChoices):
    BOOKED = "booked", "Booked"
    PICKED_UP = "picked_up", "Picked up"
    RECEIVED = "received", "Received at warehouse"
    IN_TRANSIT = "in_transit", "In transit"
    ARRIVED = "arrived", "Arrived"
    CUSTOMS_CLEARED = "customs_cleared", "Customs cleared"
    ON_HOLD = "on_hold", "On hold"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DISPATCHED = "dispatched", "Dispatched"
    DELIVERED = "delivered", "Delivered"


class StatusEvent(models.Model):
    """One timestamped step in a job's journey; the latest one (by ``occurred_at``) is its status."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    booking, warehouse_job = job_link_fields()
    code = models.CharField(max_length=30, choices=EventCode.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    location = models.CharField(max_length=200, blank=True)
    comment = models.CharField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [exactly_one_job("statusevent_exactly_one_job")]
        indexes = [
            models.Index(fields=["booking", "-occurred_at", "-id"], name="statusevent_booking_latest"),
            models.Index(fields=["warehouse_job", "-occurred_at", "-id"], name="statusevent_wjob_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


class TrackingLink(models.Model):
    """A public, read-only view of one job's timeline for a consignee: signed, expiring, revocable.

    The URL carries ``signing.dumps(public_id)``: without the secret key no token can be made, so
    guessing gets nowhere; the row decides expiry and revocation (so a leaked link can be killed).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    booking, warehouse_job = job_link_fields()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [exactly_one_job("trackinglink_exactly_one_job")]

    def __str__(self) -> str:
        return f"tracking link {self.public_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
