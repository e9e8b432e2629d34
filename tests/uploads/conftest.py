"""Fixtures for the upload tests: a tenant with customers, and uploaded files kept in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from customers.models import Customer
from tenancy.models import Tenant
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def acme(tenant: Tenant) -> Customer:
    return CustomerFactory.create(tenant=tenant, code="ACME", name="Acme Manufacturing")


@pytest.fixture
def bolt(tenant: Tenant) -> Customer:
    return CustomerFactory.create(tenant=tenant, code="BOLT", name="Bolt Retail Café")
