"""The outbox over real SMTP (aiosmtpd): delivery, retries with back-off, failures staff can retry."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from outbox.models import EmailStatus, OutboundEmail
from outbox.services import MAX_ATTEMPTS, EmailHeaderError, Outcome, email_queue, email_send
from outbox.tasks import backoff_seconds, email_deliver
from tenancy.models import Tenant
from tests.jobs.helpers import make_booking
from tests.smtp import Inbox, free_port


def queue_note_mail(tenant: Tenant, to: list[str], **extra: Any) -> OutboundEmail:
    job = make_booking(tenant=tenant, customer_reference="PO-1")
    context = {"job": job, "note": {"author_name": "Pat", "body": "<b>where is it?</b>"}, "customer": job.customer,
               "tenant": tenant, "path": "/bookings/1/", **extra}  # fmt: skip
    email = email_queue(tenant=tenant, to=to, template="notes/to_staff", context=context)
    assert email is not None
    return email


def test_a_queued_message_arrives_over_smtp_with_text_and_html(
    tenant: Tenant, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_note_mail(tenant, ["ops@acme.example", "ops@acme.example", "boss@acme.example"])
    assert len(callbacks) == 1  # handed to the worker only after commit
    assert email.status == EmailStatus.QUEUED

    assert email_send(email_id=email.pk) is Outcome.SENT

    (message,) = smtp_server.wait_for(1)
    assert smtp_server.rcpt[0] == ["boss@acme.example", "ops@acme.example"]
    assert message["Subject"] == f"Customer note on {email.subject.split()[-1]}"
    assert "<b>where is it?</b>" in Inbox.text(message)  # plain text, as written
    assert "&lt;b&gt;where is it?&lt;/b&gt;" in Inbox.html(message)  # escaped in HTML
    assert "http://localhost:8000/bookings/1/" in Inbox.text(message)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at is not None) == (EmailStatus.SENT, 1, True)
    assert email_send(email_id=email.pk) is Outcome.SKIPPED  # never sent twice
    assert len(smtp_server.messages) == 1


def test_the_celery_task_delivers(tenant: Tenant, smtp_server: Inbox) -> None:
    email = queue_note_mail(tenant, ["ops@acme.example"])
    assert email_deliver.apply(args=(email.pk,)).get() == "sent"
    assert len(smtp_server.wait_for(1)) == 1


def test_an_unreachable_server_is_retried_then_failed_and_visible_to_staff(
    tenant: Tenant, settings: Any, ops_client: Client, smtp_server: Inbox
) -> None:
    email = queue_note_mail(tenant, ["ops@acme.example"])
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    assert email_send(email_id=email.pk) is Outcome.RETRY
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in email.last_error

    # The task retries (eagerly here, with back-off in a worker) until the attempts are used up.
    email_deliver.apply(args=(email.pk,))
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, MAX_ATTEMPTS)

    page = ops_client.get(reverse("outbox:list")).content.decode()
    assert email.subject in page and "Failed" in page and "ConnectionRefusedError" in page

    # Staff retry once the server is back: it is delivered.
    settings.EMAIL_PORT = smtp_server.port
    response = ops_client.post(reverse("outbox:retry", args=[email.public_id]))
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 0)
    assert email_send(email_id=email.pk) is Outcome.SENT
    assert len(smtp_server.wait_for(1)) == 1


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(n) for n in range(4)] == [30, 60, 120, 240]
    assert backoff_seconds(20) == 3600


@pytest.mark.parametrize(
    "to", [["ops@acme.example\r\nBcc: victim@example.com"], ["ops@acme.example\nSubject: spoofed"]]
)
def test_header_injection_in_an_address_is_refused(tenant: Tenant, to: list[str]) -> None:
    with pytest.raises(EmailHeaderError):
        queue_note_mail(tenant, to)
    assert not OutboundEmail.objects.exists()


def test_header_injection_in_a_subject_is_refused(tenant: Tenant) -> None:
    tenant.name = "Acme\r\nBcc: victim@example.com"
    with pytest.raises(EmailHeaderError):
        email_queue(
            tenant=tenant,
            to=["c@example.com"],
            template="notes/to_customer",
            context={"tenant": tenant, "job": make_booking(tenant=tenant), "note": {}, "path": "/"},
        )
    assert not OutboundEmail.objects.exists()


def test_no_recipients_queues_nothing(tenant: Tenant) -> None:
    assert email_queue(tenant=tenant, to=[" "], template="notes/to_staff", context={}) is None


def test_other_tenant_cannot_retry_or_see_our_mail(tenant: Tenant, other_client: Client) -> None:
    email = queue_note_mail(tenant, ["ops@acme.example"])
    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.FAILED)
    assert email.subject not in other_client.get(reverse("outbox:list")).content.decode()
    assert other_client.post(reverse("outbox:retry", args=[email.public_id])).status_code == 404
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
