"""Bookings: freight jobs moving goods from a consignor to a consignee."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper

from freighttracker.validators import (
    date_order_check,
    not_negative,
    validate_date_window,
    validate_multi_line,
    validate_single_line,
)
from jobs.models import ChargeLine, Job


class BookingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    BOOKED = "booked", "Booked"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    INVOICED = "invoiced", "Invoiced"
    CANCELLED = "cancelled", "Cancelled"


class Booking(Job):
    NUMBER_PREFIX = "B"
    SEQUENCE_NAME = "booking"

    status = models.CharField(max_length=20, choices=BookingStatus.choices, default=BookingStatus.DRAFT)
    consignor_name = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    consignor_address = models.TextField(blank=True, validators=[validate_multi_line])
    consignee_name = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    consignee_address = models.TextField(blank=True, validators=[validate_multi_line])
    pickup_date = models.DateField(null=True, blank=True, validators=[validate_date_window])
    delivery_date = models.DateField(null=True, blank=True, validators=[validate_date_window])
    pieces = models.PositiveIntegerField(default=1)
    weight_kg = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"), validators=[not_negative])
    volume_m3 = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"), validators=[not_negative])

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="booking_number_unique_per_tenant")]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "customer_reference"]),
            # Pages are read newest first: an index-only scan finds a page's ids, even the last page.
            models.Index(fields=["tenant", "id"], name="booking_tenant_id_idx"),
            # Substring search (``icontains`` is ``UPPER(col) LIKE UPPER('%…%')``) uses these trigram
            # indexes instead of scanning every job (pg_trgm, created in customers' migration 0003).
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="booking_number_trgm"),
            GinIndex(OpClass(Upper("customer_reference"), name="gin_trgm_ops"), name="booking_ref_trgm"),
        ]

    def clean(self) -> None:
        super().clean()
        date_order_check(
            first=self.pickup_date,
            then=self.delivery_date,
            field="delivery_date",
            message="The delivery date cannot be before the pickup date.",
        )


class BookingCharge(ChargeLine):
    job = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="charges")

    class Meta(ChargeLine.Meta):
        pass
