"""The one place that builds xero-python clients: base URL, our token, no SDK refresh, no urllib3 retries."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests
import urllib3
from django.conf import settings
from django.test import Client
from django.utils import timezone
from xero_python.exceptions import RateLimitException

from integrations.xero.client import REQUEST_TIMEOUT, xero_accounting_api, xero_api_client, xero_call_kwargs
from integrations.xero.crypto import secret_decrypt
from integrations.xero.exceptions import XeroReconnectRequired
from integrations.xero.models import ConnectionStatus, XeroConnection
from integrations.xero.sandbox.seed import DEMO_AU_ORG_ID
from integrations.xero.tests.connect_support import connect_via_sandbox
from tenancy.models import Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]


@pytest.fixture
def connection(admin_client_: Client, tenant: Tenant, xero_sandbox) -> XeroConnection:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    return XeroConnection.objects.get(tenant=tenant)


def test_accounting_api_talks_to_the_configured_base_url_with_our_token(connection: XeroConnection) -> None:
    api = xero_accounting_api(connection=connection)

    organisations = api.get_organisations(connection.xero_tenant_id, **xero_call_kwargs()).organisations

    assert api.base_url == settings.XERO_API_URL
    assert organisations[0].name == "Demo Company (AU)"


def test_an_expired_token_is_refreshed_through_our_locked_refresh_not_the_sdk(
    connection: XeroConnection, xero_sandbox
) -> None:
    XeroConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    api = xero_accounting_api(connection=connection)

    api.get_organisations(connection.xero_tenant_id, **xero_call_kwargs())
    api.get_organisations(connection.xero_tenant_id, **xero_call_kwargs())

    assert xero_sandbox.control.stats()["token"].get("refresh_token") == 1
    connection.refresh_from_db()
    assert connection.last_refreshed_at is not None


def test_the_sdk_has_no_means_to_refresh_by_itself(connection: XeroConnection) -> None:
    api_client = xero_api_client(connection=connection)

    token = api_client.get_oauth2_token()

    assert "refresh_token" not in token
    assert token["access_token"] == secret_decrypt(connection.access_token_encrypted)
    with pytest.raises(RuntimeError):
        api_client.refresh_oauth2_token()


def test_a_connection_needing_reconnect_raises_before_any_call(connection: XeroConnection, xero_sandbox) -> None:
    XeroConnection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.NEEDS_RECONNECT)
    api = xero_accounting_api(connection=connection)
    before = xero_sandbox.control.stats()["api_calls_total"]

    with pytest.raises(XeroReconnectRequired):
        api.get_organisations(connection.xero_tenant_id, **xero_call_kwargs())

    assert xero_sandbox.control.stats()["api_calls_total"] == before


def test_urllib3_retries_are_off_on_the_sdk_pool(connection: XeroConnection) -> None:
    pool_manager = xero_api_client(connection=connection).rest_client.pool_manager
    pool = pool_manager.connection_from_url(settings.XERO_API_URL)

    for retries in (pool_manager.connection_pool_kw["retries"], pool.retries):
        assert isinstance(retries, urllib3.Retry)
        assert retries.total == 0 and retries.respect_retry_after_header is False


def test_a_429_reaches_the_caller_after_one_request_without_sleeping(connection: XeroConnection, xero_sandbox) -> None:
    faults_url = f"{xero_sandbox.base_url}/_sandbox/faults"
    rule = {"kind": "429", "method": "GET", "path": "/Organisation", "times": None, "retry_after": 30}
    requests.post(faults_url, json=rule, timeout=10).raise_for_status()
    api = xero_accounting_api(connection=connection)
    started = time.monotonic()

    with pytest.raises(RateLimitException) as limited:
        api.get_organisations(connection.xero_tenant_id, **xero_call_kwargs())

    assert time.monotonic() - started < 5  # urllib3 would have slept Retry-After (30 s) three times
    assert limited.value.status == 429
    fired = requests.get(faults_url, timeout=10).json()["faults"][0]["fired"]
    assert fired == 1


def test_every_call_gets_a_connect_and_read_timeout() -> None:
    connect, read = xero_call_kwargs()["_request_timeout"]

    assert read == REQUEST_TIMEOUT == settings.XERO_HTTP_TIMEOUT
    assert 0 < connect <= read


def test_two_clients_never_share_token_state(connection: XeroConnection, other_tenant: Tenant) -> None:
    twin = XeroConnection.objects.create(
        tenant=other_tenant,
        xero_tenant_id=DEMO_AU_ORG_ID,
        organisation_name="x",
        access_token_encrypted=connection.access_token_encrypted,
        refresh_token_encrypted=connection.refresh_token_encrypted,
        access_token_expires_at=connection.access_token_expires_at,
    )
    first, second = xero_api_client(connection=connection), xero_api_client(connection=twin)

    assert first.configuration.oauth2_token is not second.configuration.oauth2_token
