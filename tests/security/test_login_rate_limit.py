"""Login attempts are rate-limited per username + IP (django-axes): password guessing stops at five."""

from __future__ import annotations

from typing import cast

import pytest
from django.conf import settings
from django.test import Client

from tenancy.models import Role, Tenant, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(tenant: Tenant) -> User:
    return cast(User, UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.example"))


def _login(client: Client, email: str, password: str, ip: str = "203.0.113.7") -> int:
    response = client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)
    return response.status_code


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_attempt_after_five_bad_passwords_is_locked_out_even_with_the_right_password(victim: User) -> None:
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(4):
        assert _login(client, victim.email, "wrong") == 200  # the form again, with an error
    assert _login(client, victim.email, "wrong") in (403, 429)  # the fifth failure trips the lock

    status = _login(client, victim.email, "pw")

    assert status in (403, 429)
    assert not _logged_in(client)


def test_four_bad_passwords_do_not_lock_the_right_one_out(victim: User) -> None:
    client = Client()
    for _ in range(4):
        _login(client, victim.email, "wrong")

    _login(client, victim.email, "pw")

    assert _logged_in(client)


def test_the_lock_is_per_user_and_ip_so_the_same_user_elsewhere_can_still_log_in(victim: User) -> None:
    attacker = Client()
    for _ in range(6):
        _login(attacker, victim.email, "wrong", ip="198.51.100.66")

    office = Client()
    _login(office, victim.email, "pw", ip="203.0.113.7")

    assert _logged_in(office)
    assert _login(attacker, victim.email, "pw", ip="198.51.100.66") in (403, 429)
