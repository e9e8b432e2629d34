"""Reads of the track & trace timeline."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from jobs.models import Job
from jobs.refs import job_link, job_link_field
from tracking.models import EventCode, StatusEvent

EVENT_LABELS = dict(EventCode.choices)


def status_timeline(*, job: Job) -> QuerySet[StatusEvent]:
    """A job's events, newest first, with who added them."""
    return StatusEvent.objects.filter(tenant_id=job.tenant_id, **job_link(job)).select_related("created_by")


def status_latest_annotations(*, model: type[Job]) -> dict[str, Subquery]:
    """Annotations ``tracking_code`` / ``tracking_at``: the job's latest event, one subquery each, so
    a list of any length costs the same number of queries."""
    latest = StatusEvent.objects.filter(**{job_link_field(model): OuterRef("pk")}).order_by("-occurred_at", "-id")
    return {
        "tracking_code": Subquery(latest.values("code")[:1]),
        "tracking_at": Subquery(latest.values("occurred_at")[:1]),
    }
