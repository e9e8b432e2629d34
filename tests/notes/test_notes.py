"""Customer notes: portal → staff (unread icon, filter, e-mail to the notes address) and back."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from notes.models import Note
from outbox.models import OutboundEmail
from outbox.services import email_send
from tenancy.models import Role, Tenant, User
from tests.factories import UserFactory
from tests.jobs.helpers import make_booking, make_customer, make_warehouse_job
from tests.smtp import Inbox


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    return make_customer(tenant=tenant, name="Harbour Wholesale")


@pytest.fixture
def customer_user(customer: Customer) -> User:
    return cast(User, UserFactory(tenant=customer.tenant, role=Role.CUSTOMER, customer=customer,
                                  email="buyer@harbour.example", full_name="Pat Buyer"))  # fmt: skip


@pytest.fixture
def customer_client(customer_user: User) -> Client:
    client = Client()
    client.force_login(customer_user)
    return client


def deliver_all() -> None:
    for pk in OutboundEmail.objects.order_by("id").values_list("pk", flat=True):
        email_send(email_id=pk)


def test_customer_note_lights_up_staff_lists_and_emails_the_notes_address(
    tenant: Tenant, customer: Customer, customer_client: Client, ops_client: Client, smtp_server: Inbox,
    admin_client_: Client,
) -> None:  # fmt: skip
    admin_client_.post(reverse("notes:settings"), {"notes_email": "desk@acme.example"})
    job = make_booking(tenant=tenant, customer=customer, status="in_transit", customer_reference="PO-77")
    quiet = make_booking(tenant=tenant, customer=customer, status="in_transit")

    response = customer_client.post(
        reverse("portal:booking", args=[job.pk]), {"body": "<script>alert(1)</script> ETA?"}
    )
    assert response.status_code == 302

    listing = ops_client.get(reverse("bookings:list"))
    rows = {row.number: row for row in listing.context["rows"]}
    assert rows[job.number].unread_notes and not rows[quiet.number].unread_notes
    assert "Unread customer note" in listing.content.decode()
    filtered = ops_client.get(reverse("bookings:list"), {"unread_notes": "1"})
    assert [row.number for row in filtered.context["rows"]] == [job.number]

    deliver_all()
    (message,) = smtp_server.wait_for(1)
    assert smtp_server.rcpt[0] == ["desk@acme.example"]
    assert message["Subject"] == f"Customer note on {job.number}"
    assert f"http://localhost:8000/bookings/{job.pk}/" in Inbox.text(message)
    assert "<script>" not in Inbox.html(message) and "&lt;script&gt;" in Inbox.html(message)

    # Staff open the job: the note shows (escaped), marked new once, and the job is read for staff.
    page = ops_client.get(reverse("bookings:detail", args=[job.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ETA?" in page and "<script>alert(1)" not in page
    assert "Unread customer note" in page
    assert not ops_client.get(reverse("bookings:list"), {"unread_notes": "1"}).context["rows"]


def test_staff_reply_emails_the_customers_users_and_is_unread_for_them_until_opened(
    tenant: Tenant, customer: Customer, customer_user: User, customer_client: Client, ops_client: Client,
    smtp_server: Inbox,
) -> None:  # fmt: skip
    UserFactory(tenant=tenant, role=Role.CUSTOMER, customer=customer, email="second@harbour.example")
    UserFactory(tenant=tenant, role=Role.CUSTOMER, customer=make_customer(tenant=tenant), email="x@sibling.example")
    job = make_warehouse_job(tenant=tenant, customer=customer, status="in_progress")
    ops_client.post(reverse("notes:warehouse_add", args=[job.pk]), {"body": "Arrives Tuesday."})
    note = Note.objects.get()
    assert not note.from_customer and note.read_by_customer_at is None and note.read_by_staff_at is not None

    deliver_all()
    (message,) = smtp_server.wait_for(1)
    assert smtp_server.rcpt[0] == ["buyer@harbour.example", "second@harbour.example"]
    assert f"replied on {job.number}" in message["Subject"]
    assert f"http://localhost:8000/portal/warehouse/{job.pk}/" in Inbox.text(message)

    page = customer_client.get(reverse("portal:warehouse_job", args=[job.pk])).content.decode()
    assert "Arrives Tuesday." in page and "new" in page
    note.refresh_from_db()
    assert note.read_by_customer_at is not None


def test_a_customer_cannot_write_on_another_customers_job(
    tenant: Tenant, customer_client: Client, other_tenant: Tenant
) -> None:
    sibling_job = make_booking(tenant=tenant, customer=make_customer(tenant=tenant), status="booked")
    rival_job = make_booking(tenant=other_tenant, status="booked")
    for job in (sibling_job, rival_job):
        assert customer_client.post(reverse("portal:booking", args=[job.pk]), {"body": "hi"}).status_code == 404
    assert not Note.objects.exists() and not OutboundEmail.objects.exists()


def test_empty_or_huge_note_is_a_form_error(tenant: Tenant, customer: Customer, customer_client: Client) -> None:
    job = make_booking(tenant=tenant, customer=customer, status="booked")
    for body in ("   ", "x" * 5001):
        response = customer_client.post(reverse("portal:booking", args=[job.pk]), {"body": body})
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Note.objects.exists()


def test_a_reference_with_a_line_break_cannot_inject_headers(
    tenant: Tenant, customer: Customer, customer_client: Client, smtp_server: Inbox, admin_user: User
) -> None:
    job = make_booking(tenant=tenant, customer=customer, status="booked",
                       customer_reference="PO-1\r\nBcc: victim@example.com")  # fmt: skip
    customer_client.post(reverse("portal:booking", args=[job.pk]), {"body": "hello"})
    deliver_all()
    (message,) = smtp_server.wait_for(1)
    assert smtp_server.rcpt[0] == [admin_user.email]  # no notes address set: the admins
    assert message["Bcc"] is None and "victim" not in str(message["Subject"])


def test_notes_settings_is_for_admins_and_validates(
    tenant: Tenant, admin_client_: Client, ops_client: Client, customer_client: Client
) -> None:
    assert ops_client.get(reverse("notes:settings")).status_code == 403
    assert customer_client.get(reverse("notes:settings")).status_code == 403
    response: Any = admin_client_.post(reverse("notes:settings"), {"notes_email": "desk@acme.example\r\nBcc: x@y.z"})
    assert response.status_code == 200 and response.context["form"].errors
    tenant.refresh_from_db()
    assert tenant.notes_email == ""
