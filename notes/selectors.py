"""Reads of customer notes: a job's thread and the "unread" flags for each side."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Exists, OuterRef, QuerySet

from jobs.models import Job
from jobs.refs import job_link, job_link_field
from notes.models import Note

J = TypeVar("J", bound=Job)


def note_thread(*, job: Job) -> QuerySet[Note]:
    """The job's notes, oldest first (a conversation reads top to bottom)."""
    return Note.objects.filter(tenant_id=job.tenant_id, **job_link(job))


def notes_unread_by_staff(*, model: type[Job]) -> Exists:
    """Annotation/filter: the job has a customer note no staff member has opened yet."""
    return Exists(
        Note.objects.filter(
            from_customer=True, read_by_staff_at__isnull=True, **{job_link_field(model): OuterRef("pk")}
        )
    )


def notes_unread_by_customer(*, model: type[Job]) -> Exists:
    """Annotation: the job has a staff reply the customer has not opened yet."""
    return Exists(
        Note.objects.filter(
            from_customer=False, read_by_customer_at__isnull=True, **{job_link_field(model): OuterRef("pk")}
        )
    )


def notes_unread_attach(*, jobs: Iterable[J]) -> list[J]:
    """Set ``unread_notes`` on each job of a list page (one query for the page, whatever its size)."""
    rows = list(jobs)
    if not rows:
        return rows
    field = job_link_field(type(rows[0]))
    unread = set(
        Note.objects.filter(
            from_customer=True, read_by_staff_at__isnull=True, **{f"{field}_id__in": [job.pk for job in rows]}
        )
        .values_list(f"{field}_id", flat=True)
        .distinct()
    )
    for job in rows:
        job.unread_notes = job.pk in unread  # type: ignore[attr-defined]
    return rows
