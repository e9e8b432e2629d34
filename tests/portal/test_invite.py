"""Staff invite a customer's people from the customer page; the invitation arrives over SMTP and
the person sets a password and lands in the portal of that customer only."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from customers.models import Customer
from outbox.models import OutboundEmail
from tenancy.models import Role, Tenant, User
from tests.outbox_delivery import outbox_deliver_all
from tests.smtp import Inbox


def test_staff_invite_and_the_customer_sets_a_password_and_sees_the_portal(
    ops_client: Client, customer: Customer, smtp_server: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    page = ops_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Invite to the portal" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = ops_client.post(
            reverse("portal_users:invite", args=[customer.pk]), {"email": "Pat@Harbour.example", "full_name": "Pat"}
        )
    assert response.status_code == 302
    user = User.objects.get(email="pat@harbour.example")
    assert (user.role, user.customer, user.has_usable_password()) == (Role.CUSTOMER, customer, False)

    outbox_deliver_all()
    (message,) = smtp_server.wait_for(1)
    assert smtp_server.rcpt[0] == ["pat@harbour.example"]
    link = re.search(r"https?://[^/\s]+(/invite/\S+/\S+/)", Inbox.text(message))
    assert link and link.group(1) in Inbox.html(message)

    client = Client()
    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"new_password1": "harbour-Pass-2026", "new_password2": "harbour-Pass-2026"},
        follow=True,
    )
    assert response.status_code == 200
    client.post("/login/", {"username": "pat@harbour.example", "password": "harbour-Pass-2026"})
    assert client.get(reverse("home")).url == reverse("portal:home")  # type: ignore[attr-defined]
    assert client.get(reverse("portal:home")).status_code == 200


def test_invite_with_an_address_in_use_or_a_bad_one_is_a_message(
    ops_client: Client, customer: Customer, ops_user: User
) -> None:
    for email in (ops_user.email, "not-an-address", "a@b.example\r\nBcc: x@y.z"):
        response = ops_client.post(reverse("portal_users:invite", args=[customer.pk]), {"email": email}, follow=True)
        assert response.status_code == 200
        assert "Not invited" in response.content.decode() or "already has an account" in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_other_tenant_and_customer_users_cannot_invite(
    other_client: Client, customer_client: Client, customer: Customer, tenant: Tenant
) -> None:
    url = reverse("portal_users:invite", args=[customer.pk])
    assert other_client.post(url, {"email": "x@rival.example"}).status_code == 404
    assert customer_client.post(url, {"email": "friend@harbour.example"}).status_code == 403
    assert not User.objects.filter(email__in=["x@rival.example", "friend@harbour.example"]).exists()
