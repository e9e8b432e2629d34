"""The login page in a real browser: the first thing every user meets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login
from tests.factories import TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


def test_operations_user_logs_in_and_lands_on_bookings(page: Any) -> None:
    tenant = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role="operations", email="ops@acme.example")

    login(page, "ops@acme.example")

    assert page.url.rstrip("/").endswith("/bookings")
    page.shots("bookings-after-login")
    assert page.get_by_role("link", name="Bookings").first.is_visible()


def test_wrong_password_is_refused_with_a_message(page: Any) -> None:
    tenant = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role="admin", email="admin@acme.example")

    login(page, "admin@acme.example", password="not-the-password")

    assert "/login/" in page.url
    assert page.get_by_role("alert").is_visible()
    page.shots("login-refused")
