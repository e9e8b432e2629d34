"""Files attached to a job: proof of delivery, consignment notes, photos.

The file lives in Django's default storage (the file system in development, S3-compatible object
storage in production through django-storages) under a random key: the name a person uploaded is
kept only as text, so it can never choose where the file goes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.refs import exactly_one_job, job_link_fields
from tenancy.models import Tenant


class DocumentKind(models.TextChoices):
    POD = "pod", "Proof of delivery"
    CONSIGNMENT_NOTE = "consignment_note", "Consignment note"
    PHOTO = "photo", "Photo"
    OTHER = "other", "Other"


def document_key(instance: Any, filename: str) -> str:
    """``documents/<tenant>/<random>``: never derived from the uploaded name."""
    return f"documents/{instance.tenant_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    booking, warehouse_job = job_link_fields()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=DocumentKind.choices, default=DocumentKind.POD)
    file = models.FileField(upload_to=document_key, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, help_text="Detected from the content, not the name.")
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [exactly_one_job("document_exactly_one_job")]
        indexes = [
            models.Index(fields=["booking", "-created_at"], name="document_booking_list"),
            models.Index(fields=["warehouse_job", "-created_at"], name="document_wjob_list"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
