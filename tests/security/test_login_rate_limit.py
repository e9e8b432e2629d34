"""Login attempts are rate-limited per username + IP and per IP (django-axes): guessing stops early."""

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


def test_one_ip_trying_many_usernames_is_locked_out_too(tenant: Tenant, victim: User) -> None:
    """Issue 9, item 9: one IP may not spray passwords over many usernames (per-IP limit)."""
    assert settings.LOGIN_IP_FAILURE_LIMIT == 20
    attacker = Client()
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT):  # each username stays under its own limit of 5
        _login(attacker, f"guess{n}@acme.example", "wrong", ip="198.51.100.77")

    assert _login(attacker, victim.email, "pw", ip="198.51.100.77") in (403, 429)
    assert not _logged_in(attacker)
    # The same user from another address is not affected.
    office = Client()
    _login(office, victim.email, "pw", ip="203.0.113.7")
    assert _logged_in(office)


def test_a_successful_login_does_not_reset_the_ip_count(tenant: Tenant, victim: User) -> None:
    """The attacker's own valid account must not wipe the failures recorded against other usernames."""
    own = cast(User, UserFactory(tenant=tenant, role=Role.OPERATIONS, email="insider@acme.example"))
    attacker = Client()
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT - 1):
        _login(attacker, f"guess{n}@acme.example", "wrong", ip="198.51.100.78")
    _login(attacker, own.email, "pw", ip="198.51.100.78")
    assert _logged_in(attacker)
    attacker.logout()
    _login(attacker, "one-more@acme.example", "wrong", ip="198.51.100.78")

    assert _login(attacker, victim.email, "pw", ip="198.51.100.78") in (403, 429)
    assert not _logged_in(attacker)


def test_fewer_failures_than_the_ip_limit_do_not_lock_the_ip(tenant: Tenant, victim: User) -> None:
    client = Client()
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT - 1):
        _login(client, f"typo{n}@acme.example", "wrong", ip="198.51.100.79")
    _login(client, victim.email, "pw", ip="198.51.100.79")
    assert _logged_in(client)
