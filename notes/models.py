"""Notes on a job between the customer (in the portal) and the tenant's staff, read per side."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.refs import exactly_one_job, job_link_fields
from tenancy.models import Tenant

NOTE_MAX_LENGTH = 5000


class Note(models.Model):
    """One message in a job's thread. A note is unread for the *other* side until someone of that
    side opens the job (``read_by_staff_at`` / ``read_by_customer_at``)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    booking, warehouse_job = job_link_fields()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, help_text="As it was when written.")
    from_customer = models.BooleanField()
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    read_by_staff_at = models.DateTimeField(null=True, blank=True)
    read_by_customer_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [exactly_one_job("note_exactly_one_job")]
        indexes = [
            models.Index(fields=["booking", "created_at"], name="note_booking_thread"),
            models.Index(fields=["warehouse_job", "created_at"], name="note_wjob_thread"),
            # The staff lists' "unread customer notes" icon and filter.
            models.Index(
                fields=["tenant", "booking", "warehouse_job"],
                name="note_unread_by_staff",
                condition=models.Q(from_customer=True, read_by_staff_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"
