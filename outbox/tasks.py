"""Celery: deliver one outbox message, retrying with exponential back-off."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from outbox.services import MAX_ATTEMPTS, Outcome, email_send, email_sweep

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def backoff_seconds(retries: int) -> int:
    """30 s, 60 s, 2 min, 4 min, 8 min … capped at an hour."""
    return int(min(BACKOFF_BASE_SECONDS * 2**retries, BACKOFF_MAX_SECONDS))


@shared_task(bind=True, name="outbox.email_deliver", max_retries=MAX_ATTEMPTS - 1, acks_late=True)
def email_deliver(self: Any, email_id: int) -> str:
    outcome = email_send(email_id=email_id)
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=backoff_seconds(self.request.retries))
    return outcome.value


@shared_task(name="outbox.email_sweep")
def outbox_sweep() -> int:
    return email_sweep()
