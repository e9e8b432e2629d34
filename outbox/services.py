"""The outbox: queue a message (a row, rendered from text + HTML templates), deliver it from a
Celery task, retry what a retry can fix, and let staff queue a failed one again.

Other apps only call :func:`email_queue` (and read the row back); nothing else sends mail, so a
message that cannot be delivered right now is never lost, only late, and a failure is visible.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.models import EmailStatus, OutboundEmail
from tenancy.models import Tenant

logger = logging.getLogger(__name__)

# Attempts in all (the first one plus retries); then the message waits for a person.
MAX_ATTEMPTS = 6
# A message left in SENDING this long (a worker died mid-send) may be claimed again.
STALE_SENDING_SECONDS = 600


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # someone else has it, or it is already sent


class EmailHeaderError(ValidationError):
    """A header (subject or address) with a line break: the classic header injection."""


def _header_check(value: str, what: str) -> str:
    if any(ch in value for ch in "\r\n\x00"):
        raise EmailHeaderError(f"The e-mail {what} contains a line break; refused.")
    return value


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML of ``outbox/email/<template>``: ``_subject.txt``, ``.txt``, ``.html``.
    The HTML template autoescapes; the text one is plain text by construction."""
    base = f"outbox/email/{template}"
    ctx = {"site_url": settings.SITE_URL, **context}
    # Only the template's own trailing newline is stripped: a line break inside is refused later.
    subject = render_to_string(f"{base}_subject.txt", ctx).strip()
    html: str
    try:
        html = render_to_string(f"{base}.html", ctx)
    except TemplateDoesNotExist:
        html = ""  # a text-only message
    return subject, render_to_string(f"{base}.txt", ctx), html


def email_queue(
    *, tenant: Tenant | None, to: Sequence[str], template: str, context: dict[str, Any]
) -> OutboundEmail | None:
    """Write the message and hand it to the worker once the caller's transaction commits.

    Returns None when there is nobody to send to. Raises :class:`EmailHeaderError` (nothing is
    written) when the subject or an address would smuggle in a header.
    """
    recipients = sorted({_header_check(address.strip(), "address") for address in to if address.strip()})
    if not recipients:
        return None
    for address in recipients:
        validate_email(address)
    subject, text, html = email_render(template=template, context=context)
    _header_check(subject, "subject")
    email = OutboundEmail.objects.create(
        tenant=tenant, kind=template, to=recipients, subject=subject[:255], body_text=text, body_html=html
    )
    _deliver_after_commit(email)
    return email


def _deliver_after_commit(email: OutboundEmail) -> None:
    from outbox.tasks import email_deliver

    # robust: a broker that is down must not turn a saved note into an error page; the row stays
    # QUEUED and email_sweep picks it up.
    transaction.on_commit(lambda: email_deliver.delay(email.pk), robust=True)


def _claim(email_id: int) -> OutboundEmail | None:
    """QUEUED (or a SENDING left behind by a dead worker) → SENDING, counting the attempt first."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=STALE_SENDING_SECONDS)
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None:
            return None
        claimable = email.status == EmailStatus.QUEUED or (
            email.status == EmailStatus.SENDING and email.last_attempt_at is not None and email.last_attempt_at < stale
        )
        if not claimable:
            return None
        email.status = EmailStatus.SENDING
        email.attempts += 1
        email.last_attempt_at = now
        email.save(update_fields=["status", "attempts", "last_attempt_at"])
    return email


def _retryable(exc: Exception) -> bool:
    """Time-outs, refused connections and 4xx replies may pass later; a 5xx reply will not."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code) < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(int(code) < 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, OSError | smtplib.SMTPException)


def email_send(*, email_id: int) -> Outcome:
    """One delivery attempt, outside any transaction (the SMTP conversation can be slow)."""
    email = _claim(email_id)
    if email is None:
        return Outcome.SKIPPED
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.to),
        headers={"X-Outbox-Id": str(email.public_id)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        with get_connection(timeout=settings.EMAIL_TIMEOUT) as connection:
            connection.send_messages([message])
    except Exception as exc:
        retry = _retryable(exc) and email.attempts < MAX_ATTEMPTS
        email.status = EmailStatus.QUEUED if retry else EmailStatus.FAILED
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        email.save(update_fields=["status", "last_error"])
        logger.warning("outbox: %s attempt %s failed: %s", email.public_id, email.attempts, email.last_error)
        return Outcome.RETRY if retry else Outcome.FAILED
    email.status = EmailStatus.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return Outcome.SENT


def email_retry(*, email: OutboundEmail) -> bool:
    """Staff: queue a failed message again (a fresh set of attempts). False if it was not failed."""
    changed = OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.QUEUED, attempts=0
    )
    if changed:
        _deliver_after_commit(email)
    return bool(changed)


def email_sweep() -> int:
    """Hand QUEUED messages that no task seems to hold back to the worker (the broker was down
    when they were queued, or a task was lost); returns how many. The claim keeps a doubly
    dispatched message from being sent twice."""
    from outbox.tasks import BACKOFF_MAX_SECONDS, email_deliver

    now = timezone.now()
    never_tried = OutboundEmail.objects.filter(
        status=EmailStatus.QUEUED, last_attempt_at__isnull=True, created_at__lt=now - dt.timedelta(minutes=5)
    )
    overdue = OutboundEmail.objects.filter(
        status=EmailStatus.QUEUED, last_attempt_at__lt=now - dt.timedelta(seconds=BACKOFF_MAX_SECONDS + 300)
    )
    stale_sending = OutboundEmail.objects.filter(
        status=EmailStatus.SENDING, last_attempt_at__lt=now - dt.timedelta(seconds=STALE_SENDING_SECONDS)
    )
    ids = list((never_tried | overdue | stale_sending).values_list("pk", flat=True)[:500])
    for pk in ids:
        email_deliver.delay(pk)
    return len(ids)
