"""Writes of the track & trace timeline: one job at a time, or many selected jobs at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jobs.models import Job
from jobs.refs import job_link
from tenancy.models import Tenant, User
from tracking.models import EventCode, StatusEvent

# One bulk update may touch at most this many jobs: a forged form cannot make one request write 1e6 rows.
BULK_MAX_JOBS = 500


def _event_build(
    *, tenant: Tenant, job: Job, code: str, occurred_at: dt.datetime | None, location: str, comment: str, user: User
) -> StatusEvent:
    if job.tenant_id != tenant.pk or user.tenant_id != tenant.pk:
        # Defence in depth: views scope their look-ups, but a service must not trust its callers.
        raise ValidationError("Choose one of your own jobs.")
    if code not in EventCode.values:
        raise ValidationError({"code": "Choose a status from the list."})
    event = StatusEvent(
        tenant=tenant,
        code=code,
        occurred_at=occurred_at or timezone.now(),
        location=location.strip(),
        comment=comment.strip(),
        created_by=user,
        **job_link(job),
    )
    event.full_clean(exclude=["tenant", "booking", "warehouse_job", "created_by"])
    return event


def status_event_add(
    *,
    job: Job,
    code: str,
    user: User,
    occurred_at: dt.datetime | None = None,
    location: str = "",
    comment: str = "",
) -> StatusEvent:
    """Add one event to a job's timeline; the job's current status follows its latest event."""
    event = _event_build(
        tenant=job.tenant, job=job, code=code, occurred_at=occurred_at, location=location, comment=comment, user=user
    )
    event.save()
    return event


def status_event_add_bulk(
    *,
    tenant: Tenant,
    jobs: Sequence[Job],
    code: str,
    user: User,
    occurred_at: dt.datetime | None = None,
    location: str = "",
    comment: str = "",
) -> list[StatusEvent]:
    """The same event on many jobs, all or nothing (one insert)."""
    if not jobs:
        raise ValidationError("Select at least one job.")
    if len(jobs) > BULK_MAX_JOBS:
        raise ValidationError(f"Select at most {BULK_MAX_JOBS} jobs at a time.")
    when = occurred_at or timezone.now()
    events = [
        _event_build(tenant=tenant, job=job, code=code, occurred_at=when, location=location, comment=comment, user=user)
        for job in jobs
    ]
    with transaction.atomic():
        return StatusEvent.objects.bulk_create(events)
