"""Bulk job uploads: one file of bookings or warehouse jobs, checked row by row, committed all at once.

An :class:`Upload` is the file and its life (queued → checking → checked → creating jobs → jobs
created); each data row of the file is an :class:`UploadRow` with what was read, what it means and
what is wrong with it. Rows are kept so the preview, the error report and the commit read them back
in chunks instead of holding the whole file in memory.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from customers.models import Customer
from tenancy.models import Tenant


class UploadKind(models.TextChoices):
    BOOKING = "booking", "Bookings"
    WAREHOUSE = "warehouse", "Warehouse jobs"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    CHECKING = "checking", "Checking rows"
    CHECKED = "checked", "Checked"
    REFUSED = "refused", "Refused"
    COMMITTING = "committing", "Creating jobs"
    COMMITTED = "committed", "Jobs created"
    DISCARDED = "discarded", "Discarded"


# Statuses in which a worker is (or will be) busy with the upload: the page polls while in one.
BUSY_STATUSES = frozenset({UploadStatus.QUEUED, UploadStatus.CHECKING, UploadStatus.COMMITTING})


def _upload_path(instance: Upload, filename: str) -> str:
    # The stored name never comes from the user: only the tenant's id and a random id.
    return f"uploads/{instance.tenant_id}/{instance.public_id}.{instance.file_format or 'bin'}"


class Upload(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=UploadKind.choices)
    status = models.CharField(max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    file = models.FileField(upload_to=_upload_path, max_length=255)
    file_name = models.CharField(max_length=255, help_text="The name the file had on the user's computer.")
    file_size = models.PositiveBigIntegerField(default=0)
    file_format = models.CharField(max_length=10, blank=True)  # "csv" or "xlsx"
    encoding = models.CharField(max_length=20, blank=True)  # CSV only: utf-8, utf-8-sig, cp1252, utf-16
    sha256 = models.CharField(max_length=64)
    skip_existing = models.BooleanField(
        default=False, help_text="Skip rows whose customer reference already exists for that customer."
    )
    message = models.TextField(blank=True, help_text="Why the file was refused, or why creating the jobs stopped.")

    rows_total = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0, help_text="Rows with an error (other than 'exists').")
    rows_existing = models.PositiveIntegerField(default=0, help_text="Otherwise good rows whose reference exists.")
    rows_created = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    first_number = models.CharField(max_length=20, blank=True)
    last_number = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["tenant", "sha256"]), models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_busy(self) -> bool:
        return self.status in BUSY_STATUSES

    @property
    def rows_good(self) -> int:
        return max(self.rows_total - self.rows_bad - self.rows_existing, 0)

    @property
    def rows_skipped(self) -> int:
        return self.rows_existing if self.skip_existing else 0

    @property
    def rows_refused(self) -> int:
        """Rows that stop the commit: errors, plus existing references unless they are skipped."""
        return self.rows_bad + (0 if self.skip_existing else self.rows_existing)

    @property
    def can_commit(self) -> bool:
        return self.status == UploadStatus.CHECKED and self.rows_refused == 0 and self.rows_good > 0


class UploadRow(models.Model):
    """One data row of an uploaded file, by its row number in the spreadsheet (the header is row 1)."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    values = models.JSONField(default=dict, help_text="What the cells held, as text, by column key.")
    parsed = models.JSONField(null=True, blank=True, help_text="The row's values once checked (no errors only).")
    errors = models.JSONField(default=list, help_text="[column key, message] pairs.")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(max_length=255, blank=True)
    duplicate_of = models.PositiveIntegerField(null=True, blank=True, help_text="Earlier row with the same reference.")
    existing_number = models.CharField(max_length=20, blank=True, help_text="The job that already has the reference.")
    job_id = models.BigIntegerField(null=True, blank=True)
    job_number = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["upload", "line"], name="uploadrow_unique_line")]
        indexes = [models.Index(fields=["upload", "customer", "reference"])]

    def __str__(self) -> str:
        return f"row {self.line}"

    @property
    def is_bad(self) -> bool:
        return bool(self.errors) or self.duplicate_of is not None
