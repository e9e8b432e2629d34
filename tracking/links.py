"""Public tracking links: create, resolve, revoke. The token is ``signing.dumps`` of the link's
public id (HMAC with SECRET_KEY and a salt of its own); the row holds expiry and revocation."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.refs import job_link, job_of
from tenancy.models import Role, User
from tracking.models import TrackingLink

SALT = "tracking.public-link"
DEFAULT_DAYS = 30
MAX_DAYS = 90


def tracking_link_token(*, link: TrackingLink) -> str:
    return signing.dumps(str(link.public_id), salt=SALT)


def tracking_link_path(*, link: TrackingLink) -> str:
    return reverse("tracking_public:page", args=[tracking_link_token(link=link)])


def tracking_link_create(*, job: Job, user: User, days: int = DEFAULT_DAYS) -> TrackingLink:
    if user.tenant_id != job.tenant_id or user.role == Role.CUSTOMER:
        raise ValidationError("Choose one of your own jobs.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A link lasts 1 to {MAX_DAYS} days.")
    return TrackingLink.objects.create(
        tenant_id=job.tenant_id, created_by=user, expires_at=timezone.now() + dt.timedelta(days=days), **job_link(job)
    )


def tracking_link_revoke(*, link: TrackingLink) -> None:
    TrackingLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tracking_link_resolve(*, token: str) -> tuple[TrackingLink, Job] | None:
    """The live link and its job, or None for a forged, expired or revoked token (all alike)."""
    try:
        public_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    link = (
        TrackingLink.objects.filter(public_id=public_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("tenant", "booking", "warehouse_job")
        .first()
    )
    if link is None:
        return None
    return link, job_of(link)


def tracking_links_live(*, job: Job) -> QuerySet[TrackingLink]:
    return TrackingLink.objects.filter(
        tenant_id=job.tenant_id, revoked_at__isnull=True, expires_at__gt=timezone.now(), **job_link(job)
    )
