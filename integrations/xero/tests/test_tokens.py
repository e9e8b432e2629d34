"""Token refresh against the sandbox: rotation, one refresh for many workers, invalid_grant, encryption."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import requests
from django.conf import settings
from django.core import mail
from django.db import connection as db_connection
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from integrations.xero.context_processors import xero_banners
from integrations.xero.crypto import secret_decrypt
from integrations.xero.exceptions import XeroReconnectRequired, XeroTokenError
from integrations.xero.models import ConnectionStatus, XeroConnection
from integrations.xero.oauth import connections_list, token_refresh_grant, token_revoke
from integrations.xero.sandbox.seed import DEMO_AU_ORG_ID
from integrations.xero.selectors import RECONNECT_BANNER
from integrations.xero.services import xero_token_get_valid, xero_token_refresh
from integrations.xero.tasks import xero_tokens_keepalive
from integrations.xero.tests.connect_support import connect_via_sandbox
from tenancy.models import Role, Tenant, User

pytestmark = pytest.mark.usefixtures("xero_sandbox_settings")


@pytest.fixture
def connection(db: None, admin_client_: Client, tenant: Tenant, xero_sandbox) -> XeroConnection:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    return XeroConnection.objects.get(tenant=tenant)


def _expire(connection: XeroConnection, *, seconds_left: int = -60) -> None:
    XeroConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + dt.timedelta(seconds=seconds_left)
    )


def _refresh_calls(xero_sandbox) -> int:
    return xero_sandbox.control.stats()["token"].get("refresh_token", 0)


def test_a_fresh_token_is_used_without_calling_the_token_endpoint(connection: XeroConnection, xero_sandbox) -> None:
    token = xero_token_get_valid(connection_id=connection.pk)

    assert token == secret_decrypt(connection.access_token_encrypted)
    assert _refresh_calls(xero_sandbox) == 0


def test_a_token_expiring_within_five_minutes_is_refreshed_and_the_refresh_token_rotated(
    connection: XeroConnection, xero_sandbox
) -> None:
    old_access = secret_decrypt(connection.access_token_encrypted)
    old_refresh = secret_decrypt(connection.refresh_token_encrypted)
    _expire(connection, seconds_left=4 * 60)

    token = xero_token_get_valid(connection_id=connection.pk)

    connection.refresh_from_db()
    assert _refresh_calls(xero_sandbox) == 1
    assert token != old_access and token == secret_decrypt(connection.access_token_encrypted)
    assert secret_decrypt(connection.refresh_token_encrypted) != old_refresh
    assert connection.access_token_expires_at > timezone.now() + dt.timedelta(minutes=25)
    assert connection.last_refreshed_at is not None
    assert connections_list(access_token=token)[0]["tenantId"] == DEMO_AU_ORG_ID
    # The spent refresh token dies once Xero's grace period is over.
    xero_sandbox.control.config(clock_offset_seconds=31 * 60)
    with pytest.raises(XeroTokenError) as refused:
        token_refresh_grant(refresh_token=old_refresh)
    assert refused.value.is_invalid_grant


def test_the_refresh_margin_is_configurable(connection: XeroConnection, xero_sandbox, settings) -> None:
    settings.XERO_TOKEN_REFRESH_MARGIN = 60
    _expire(connection, seconds_left=4 * 60)

    xero_token_get_valid(connection_id=connection.pk)

    assert _refresh_calls(xero_sandbox) == 0


def test_rotated_tokens_keep_working_over_several_refreshes(connection: XeroConnection, xero_sandbox) -> None:
    xero_sandbox.control.config(refresh_grace_seconds=0)  # any reuse of a spent refresh token fails
    seen = set()
    for _ in range(3):
        _expire(connection)
        seen.add(xero_token_get_valid(connection_id=connection.pk))

    assert len(seen) == 3
    assert _refresh_calls(xero_sandbox) == 3
    assert XeroConnection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_eight_workers_asking_at_once_cause_exactly_one_refresh(xero_sandbox, tenant: Tenant) -> None:
    admin = User.objects.create_user("admin8@acme.example", "pw", tenant=tenant, role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    connect_via_sandbox(client, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    connection = XeroConnection.objects.get(tenant=tenant)
    _expire(connection)
    xero_sandbox.control.config(refresh_grace_seconds=0)  # a second spend of the same token would fail
    workers = 8
    barrier = threading.Barrier(workers)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            tokens.append(xero_token_get_valid(connection_id=connection.pk))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(tokens) == workers
    assert _refresh_calls(xero_sandbox) == 1
    stored = XeroConnection.objects.get(pk=connection.pk)
    assert set(tokens) == {secret_decrypt(stored.access_token_encrypted)}
    assert stored.status == ConnectionStatus.ACTIVE
    answer = requests.get(settings.XERO_CONNECTIONS_URL, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=10)
    assert answer.status_code == 200


def test_forced_refresh_is_serialised_and_stores_the_new_pair(connection: XeroConnection, xero_sandbox) -> None:
    before = connection.refresh_token_encrypted

    token = xero_token_refresh(connection_id=connection.pk, force=True)

    connection.refresh_from_db()
    assert connection.refresh_token_encrypted != before
    assert token == secret_decrypt(connection.access_token_encrypted)


def test_no_token_is_stored_in_plain_text(connection: XeroConnection) -> None:
    _expire(connection)
    xero_token_get_valid(connection_id=connection.pk)  # also after a refresh
    connection.refresh_from_db()
    access = secret_decrypt(connection.access_token_encrypted)
    refresh = secret_decrypt(connection.refresh_token_encrypted)

    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token_encrypted, refresh_token_encrypted FROM xero_xeroconnection WHERE id = %s",
            [connection.pk],
        )
        raw_access, raw_refresh = cursor.fetchone()
        cursor.execute("SELECT code_verifier_encrypted, tokens_encrypted FROM xero_xeropendingauthorisation")
        pending = cursor.fetchall()

    assert access not in raw_access and refresh not in raw_refresh
    assert raw_access.startswith("gAAAA") and raw_refresh.startswith("gAAAA")  # Fernet tokens
    for row in pending:
        assert access not in "".join(row) and refresh not in "".join(row)


def test_no_token_is_stored_in_plain_text_while_the_admin_chooses(admin_client_: Client, xero_sandbox) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=None)

    with db_connection.cursor() as cursor:
        cursor.execute("SELECT code_verifier_encrypted, tokens_encrypted FROM xero_xeropendingauthorisation")
        verifier, tokens = cursor.fetchone()

    assert tokens.startswith("gAAAA") and verifier.startswith("gAAAA")
    assert "access_token" not in tokens and "refresh_token" not in tokens


def test_invalid_grant_marks_the_connection_emails_admins_once_and_shows_a_banner(
    connection: XeroConnection,
    tenant: Tenant,
    admin_user: User,
    accounts_user: User,
    ops_user: User,
    admin_client_: Client,
    xero_sandbox,
) -> None:
    token_revoke(refresh_token=secret_decrypt(connection.refresh_token_encrypted))  # Xero forgets the grant
    _expire(connection)
    mail.outbox.clear()

    with pytest.raises(XeroReconnectRequired):
        xero_token_get_valid(connection_id=connection.pk)
    with pytest.raises(XeroReconnectRequired):
        xero_token_get_valid(connection_id=connection.pk)

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert "invalid_grant" in connection.status_detail
    assert _refresh_calls(xero_sandbox) == 1  # the second ask did not spend anything
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [admin_user.email]
    assert "reconnect" in mail.outbox[0].body.lower()

    factory = RequestFactory()
    for user, expected in ((admin_user, [RECONNECT_BANNER]), (accounts_user, [RECONNECT_BANNER]), (ops_user, None)):
        request = factory.get("/")
        request.user = user
        request.tenant = tenant  # type: ignore[attr-defined]
        assert xero_banners(request).get("banners") == expected
    page = admin_client_.get(reverse("xero:settings"))
    assert "Xero needs reconnecting — exports are paused" in page.content.decode()


def test_banner_is_not_shown_to_another_tenant(connection: XeroConnection, other_admin: User) -> None:
    XeroConnection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.NEEDS_RECONNECT)
    request = RequestFactory().get("/")
    request.user = other_admin
    request.tenant = other_admin.tenant  # type: ignore[attr-defined]

    assert "banners" not in xero_banners(request)


def test_an_unreachable_token_endpoint_leaves_the_connection_active(connection: XeroConnection, settings) -> None:
    settings.XERO_TOKEN_URL = "http://127.0.0.1:9/connect/token"
    _expire(connection)

    with pytest.raises(XeroTokenError) as failed:
        xero_token_get_valid(connection_id=connection.pk)

    assert failed.value.is_transient
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert len(mail.outbox) == 0


def test_keepalive_refreshes_connections_idle_for_a_month(connection: XeroConnection, xero_sandbox) -> None:
    XeroConnection.objects.filter(pk=connection.pk).update(last_refreshed_at=timezone.now() - dt.timedelta(days=31))

    assert xero_tokens_keepalive() == 1
    assert xero_tokens_keepalive() == 0  # just refreshed: nothing to do

    assert _refresh_calls(xero_sandbox) == 1
