"""A customer user of Acme's customer "Harbour", and a sibling customer of the same tenant."""

from __future__ import annotations

from typing import cast

import pytest
from django.test import Client

from customers.models import Customer
from tenancy.models import Role, Tenant, User
from tests.factories import CustomerFactory, UserFactory
from tests.smtp import smtp_server

__all__ = ["smtp_server"]


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    return cast(Customer, CustomerFactory(tenant=tenant, name="Harbour Wholesale", code="HARB"))


@pytest.fixture
def sibling(tenant: Tenant) -> Customer:
    return cast(Customer, CustomerFactory(tenant=tenant, name="Sibling Traders", code="SIBL"))


@pytest.fixture
def customer_user(customer: Customer) -> User:
    return cast(
        User,
        UserFactory(tenant=customer.tenant, role=Role.CUSTOMER, customer=customer, email="buyer@harbour.example"),
    )


@pytest.fixture
def customer_client(customer_user: User) -> Client:
    client = Client()
    client.force_login(customer_user)
    return client
