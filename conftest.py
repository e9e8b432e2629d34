"""Fixtures for the whole suite: two tenants, each with a user of every role (alice/bob/charlie)."""

from __future__ import annotations

import pytest
from django.test import Client

from tenancy.models import Role, Tenant, User
from tests.factories import TenantFactory, UserFactory

pytest_plugins = ["integrations.xero.sandbox.pytest_plugin", "sandboxes.myob.pytest_plugin"]


@pytest.fixture
def tenant(db: None) -> Tenant:
    return TenantFactory.create(name="Acme Freight", slug="acme")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return TenantFactory.create(name="Rival Logistics", slug="rival")


@pytest.fixture
def admin_user(tenant: Tenant) -> User:
    return UserFactory.create(tenant=tenant, role=Role.ADMIN, email="admin@acme.example")


@pytest.fixture
def accounts_user(tenant: Tenant) -> User:
    return UserFactory.create(tenant=tenant, role=Role.ACCOUNTS, email="accounts@acme.example")


@pytest.fixture
def ops_user(tenant: Tenant) -> User:
    return UserFactory.create(tenant=tenant, role=Role.OPERATIONS, email="ops@acme.example")


@pytest.fixture
def other_admin(other_tenant: Tenant) -> User:
    return UserFactory.create(tenant=other_tenant, role=Role.ADMIN, email="admin@rival.example")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin_user: User) -> Client:
    return _client_for(admin_user)


@pytest.fixture
def accounts_client(accounts_user: User) -> Client:
    return _client_for(accounts_user)


@pytest.fixture
def ops_client(ops_user: User) -> Client:
    return _client_for(ops_user)


@pytest.fixture
def other_client(other_admin: User) -> Client:
    return _client_for(other_admin)
