"""Error pages are the site's own and say why (issue 8, section 4): 403, 404, 500, CSRF, lock-out."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from tenancy.models import Role, Tenant, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure for the 500 page")


urlpatterns = [path("boom/", _boom)]


def test_operations_user_opening_invoicing_is_told_their_role_does_not_allow_it(ops_client: Client) -> None:
    response = ops_client.get("/invoicing/")

    body = response.content.decode()
    assert response.status_code == 403
    assert "Your role does not allow this page." in body
    assert 'class="topbar"' in body and "Go to your start page" in body


def test_unknown_page_is_a_styled_404_that_says_so(admin_client_: Client) -> None:
    response = admin_client_.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and 'class="topbar"' in body


def test_server_error_is_a_styled_500_that_says_nothing_half_saved(settings, admin_user: User) -> None:
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    response = client.get("/boom/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body and "pico.min.css" in body
    assert "deliberate failure" not in body


def test_a_form_posted_without_a_valid_csrf_token_gets_the_sites_page(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post("/settings/integration/authentication/xero/disconnect/")

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_locked_out_login_says_when_to_try_again(tenant: Tenant) -> None:
    UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.example")
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "admin@acme.example", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    before = timezone.now()

    response = client.post("/login/", {"username": "admin@acme.example", "password": "pw"}, REMOTE_ADDR="203.0.113.9")

    body = response.content.decode()
    assert response.status_code == 429
    assert 'class="topbar"' in body
    assert re.search(r"Try again in <strong>1[45] minutes</strong>", body), body
    until = dt.datetime.fromisoformat(re.search(r'datetime="([^"]+)"', body).group(1))  # type: ignore[union-attr]
    assert before + dt.timedelta(minutes=14) < until <= before + dt.timedelta(minutes=15, seconds=5)
    assert "UTC" in body  # anonymous: no company zone yet, so the zone is named


def test_password_reset_by_email_sets_a_new_password(client: Client, admin_user: User) -> None:
    page = client.get("/login/").content.decode()
    assert 'href="/password-reset/"' in page

    response = client.post("/password-reset/", {"email": admin_user.email}, follow=True)

    assert "Check your e-mail" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin_user.email]
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", str(mail.outbox[0].body)).group(1)  # type: ignore[union-attr]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode() and 'class="topbar"' in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Tr4ck-and-trace!", "new_password2": "Tr4ck-and-trace!"},
        follow=True,
    )
    assert "Password saved" in done.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.check_password("Tr4ck-and-trace!")
    again = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client: Client) -> None:
    response = client.post("/password-reset/", {"email": "nobody@example.com"}, follow=True)

    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []
