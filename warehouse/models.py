"""Warehouse jobs: goods received, stored or dispatched for a customer."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper

from freighttracker.validators import date_order_check, validate_date_window
from jobs.models import ChargeLine, Job


class WarehouseJobKind(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    STORAGE = "storage", "Storage"


class WarehouseJobStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    BOOKED = "booked", "Booked"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    INVOICED = "invoiced", "Invoiced"
    CANCELLED = "cancelled", "Cancelled"


class WarehouseJob(Job):
    NUMBER_PREFIX = "W"
    SEQUENCE_NAME = "warehouse_job"

    kind = models.CharField(max_length=20, choices=WarehouseJobKind.choices, default=WarehouseJobKind.INBOUND)
    status = models.CharField(max_length=20, choices=WarehouseJobStatus.choices, default=WarehouseJobStatus.DRAFT)
    start_date = models.DateField(null=True, blank=True, validators=[validate_date_window])
    end_date = models.DateField(null=True, blank=True, validators=[validate_date_window])

    class Meta:
        ordering = ["-id"]
        verbose_name = "warehouse job"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="warehousejob_number_unique_per_tenant")
        ]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "customer_reference"]),
            # Pages are read newest first: an index-only scan finds a page's ids, even the last page.
            models.Index(fields=["tenant", "id"], name="warehousejob_tenant_id_idx"),
            # Substring search (``icontains`` is ``UPPER(col) LIKE UPPER('%…%')``) uses these trigram
            # indexes instead of scanning every job (pg_trgm, created in customers' migration 0003).
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="warehousejob_number_trgm"),
            GinIndex(OpClass(Upper("customer_reference"), name="gin_trgm_ops"), name="warehousejob_ref_trgm"),
        ]

    def clean(self) -> None:
        super().clean()
        date_order_check(
            first=self.start_date,
            then=self.end_date,
            field="end_date",
            message="The end date cannot be before the start date.",
        )


class WarehouseCharge(ChargeLine):
    job = models.ForeignKey(WarehouseJob, on_delete=models.CASCADE, related_name="charges")

    class Meta(ChargeLine.Meta):
        pass
