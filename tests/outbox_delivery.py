"""For tests of features that e-mail through the outbox without a Celery worker: capture the
on-commit hand-over to the worker, then deliver every queued message in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from outbox.models import EmailStatus, OutboundEmail
from outbox.services import email_send


def outbox_deliver_all() -> int:
    """Send every queued message now (to whatever EMAIL_BACKEND the test uses); returns how many."""
    ids = list(OutboundEmail.objects.filter(status=EmailStatus.QUEUED).order_by("id").values_list("pk", flat=True))
    for pk in ids:
        email_send(email_id=pk)
    return len(ids)


@contextmanager
def delivered_on_commit(capture: Callable[..., Any]) -> Iterator[Any]:
    """``with delivered_on_commit(django_capture_on_commit_callbacks):`` — the block's e-mails are
    delivered when it ends, as the worker would after the commit (nothing reaches the broker)."""
    with capture(execute=False) as callbacks:
        yield callbacks
    outbox_deliver_all()
