"""Writes of customer notes: a note from the portal, a staff reply, and marking a side's notes read.

Each note e-mails the other side through the outbox (in the same transaction as the note, so a
note never exists without its message, and a message is sent only for a saved note).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.refs import job_code, job_link
from notes.models import NOTE_MAX_LENGTH, Note
from outbox.services import email_queue
from tenancy.models import Role, Tenant, User

PORTAL_URL = {"b": "portal:booking", "w": "portal:warehouse_job"}
STAFF_URL = {"b": "bookings:detail", "w": "warehouse:detail"}


def _clean_body(body: str) -> str:
    body = body.replace("\x00", "").strip()
    if not body:
        raise ValidationError({"body": "Write a note first."})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError({"body": f"A note is at most {NOTE_MAX_LENGTH} characters."})
    return body


def _note_create(*, job: Job, user: User, body: str, from_customer: bool) -> Note:
    now = timezone.now()
    return Note.objects.create(
        tenant_id=job.tenant_id,
        author=user,
        author_name=(user.full_name or user.email)[:200],
        from_customer=from_customer,
        body=_clean_body(body),
        created_at=now,
        # The writer's own side has read it.
        read_by_customer_at=now if from_customer else None,
        read_by_staff_at=None if from_customer else now,
        **job_link(job),
    )


def staff_notes_recipients(*, job: Job) -> list[str]:
    """The tenant's notes address, else its admins."""
    tenant = job.tenant
    if tenant.notes_email:
        return [tenant.notes_email]
    admins = User.objects.filter(tenant=tenant, role=Role.ADMIN, is_active=True)
    return list(admins.values_list("email", flat=True))


def note_add_from_portal(*, job: Job, user: User, body: str) -> Note:
    """A customer user's note: the job turns unread for staff, and the tenant gets an e-mail."""
    if user.role != Role.CUSTOMER or user.customer_id != job.customer_id or user.tenant_id != job.tenant_id:
        raise ValidationError("You can only write on your own jobs.")
    with transaction.atomic():
        note = _note_create(job=job, user=user, body=body, from_customer=True)
        email_queue(
            tenant=job.tenant,
            to=staff_notes_recipients(job=job),
            template="notes/to_staff",
            context={
                "job": job,
                "note": note,
                "customer": job.customer,
                "tenant": job.tenant,
                "path": reverse(STAFF_URL[job_code(job)], args=[job.pk]),
            },
        )
    return note


def note_add_by_staff(*, job: Job, user: User, body: str) -> Note:
    """A staff reply: the job turns unread for the customer, whose portal users get an e-mail."""
    if user.role == Role.CUSTOMER or user.tenant_id != job.tenant_id:
        raise ValidationError("Choose one of your own jobs.")
    with transaction.atomic():
        note = _note_create(job=job, user=user, body=body, from_customer=False)
        portal_users = User.objects.filter(tenant_id=job.tenant_id, customer_id=job.customer_id, is_active=True)
        email_queue(
            tenant=job.tenant,
            to=list(portal_users.values_list("email", flat=True)),
            template="notes/to_customer",
            context={
                "job": job,
                "note": note,
                "tenant": job.tenant,
                "path": reverse(PORTAL_URL[job_code(job)], args=[job.pk]),
            },
        )
    return note


def notes_mark_read(*, job: Job, by_customer: bool) -> list[int]:
    """Someone of one side opened the job: the other side's notes are read now. Returns the ids
    that were unread until this moment (the page marks them as new)."""
    now = timezone.now()
    thread = Note.objects.filter(tenant_id=job.tenant_id, **job_link(job))
    if by_customer:
        unread = thread.filter(from_customer=False, read_by_customer_at__isnull=True)
        field = "read_by_customer_at"
    else:
        unread = thread.filter(from_customer=True, read_by_staff_at__isnull=True)
        field = "read_by_staff_at"
    ids = list(unread.values_list("pk", flat=True))
    if ids:
        Note.objects.filter(pk__in=ids).update(**{field: now})
    return ids


def notes_email_set(*, tenant: Tenant, email: str) -> None:
    """The tenant's notes address (validated by the form; a line break could never reach a header)."""
    email = email.strip()
    if email:
        validate_email(email)
    Tenant.objects.filter(pk=tenant.pk).update(notes_email=email)
    tenant.notes_email = email
