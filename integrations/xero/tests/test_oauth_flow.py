"""Connect / choose / disconnect over real HTTP against the Xero sandbox, with state + PKCE."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.test import Client
from django.urls import reverse

from integrations.xero.crypto import secret_decrypt
from integrations.xero.exceptions import XeroTokenError
from integrations.xero.models import ConnectionStatus, XeroConnection, XeroPendingAuthorisation
from integrations.xero.oauth import token_refresh_grant
from integrations.xero.sandbox.seed import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID
from integrations.xero.tests.connect_support import (
    authorize_url_get,
    callback_call,
    connect_via_sandbox,
    sandbox_approve,
)
from tenancy.models import Tenant, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_connect_redirects_to_authorize_with_state_and_s256_challenge(admin_client_: Client) -> None:
    url = authorize_url_get(admin_client_)

    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == settings.XERO_AUTHORIZE_URL
    assert query["client_id"] == settings.XERO_CLIENT_ID
    assert query["redirect_uri"] == settings.XERO_REDIRECT_URI
    assert query["scope"] == settings.XERO_SCOPES
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    pending = XeroPendingAuthorisation.objects.get()
    verifier = secret_decrypt(pending.code_verifier_encrypted)
    assert create_s256_code_challenge(verifier) == query["code_challenge"]
    assert query["state"] not in pending.state_hash  # only a hash of the state is stored


def test_connect_with_one_organisation_saves_the_connection(
    admin_client_: Client, admin_user: User, tenant: Tenant, xero_sandbox
) -> None:
    response = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])

    assert response.status_code == 302 and response["Location"] == reverse("xero:settings")
    connection = XeroConnection.objects.get(tenant=tenant)
    assert connection.xero_tenant_id == DEMO_AU_ORG_ID
    assert connection.organisation_name == "Demo Company (AU)"
    assert connection.xero_connection_id
    assert connection.connected_by == admin_user
    assert "accounting.invoices" in connection.scopes
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.access_token_expires_at > dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=25)
    assert xero_sandbox.control.stats()["token"].get("authorization_code") == 1
    assert not XeroPendingAuthorisation.objects.exists()
    page = admin_client_.get(reverse("xero:settings"))
    assert "Demo Company (AU)" in page.content.decode()


def test_connect_with_two_organisations_lets_the_admin_choose_one(
    admin_client_: Client, tenant: Tenant, xero_sandbox
) -> None:
    response = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=None)

    assert response.status_code == 302
    assert not XeroConnection.objects.exists()
    page = admin_client_.get(response["Location"])
    html = page.content.decode()
    assert "Demo Company (AU)" in html and "Demo Company (NZ)" in html
    assert "Settings" in html and "Integration" in html and "Authentication" in html

    chosen = admin_client_.post(response["Location"], {"xero_tenant_id": DEMO_NZ_ORG_ID})

    assert chosen.status_code == 302 and chosen["Location"] == reverse("xero:settings")
    connection = XeroConnection.objects.get(tenant=tenant)
    assert (connection.xero_tenant_id, connection.organisation_name) == (DEMO_NZ_ORG_ID, "Demo Company (NZ)")
    assert not XeroPendingAuthorisation.objects.exists()
    assert admin_client_.get(response["Location"]).status_code == 404  # the choice is used up


def test_choosing_an_organisation_that_was_not_authorised_saves_nothing(admin_client_: Client, xero_sandbox) -> None:
    response = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=None)

    page = admin_client_.post(response["Location"], {"xero_tenant_id": "00000000-0000-0000-0000-000000000000"})

    assert page.status_code == 200
    assert "not among those authorised" in page.content.decode()
    assert not XeroConnection.objects.exists()


def test_another_user_cannot_complete_someone_elses_organisation_choice(
    admin_client_: Client, other_client: Client, xero_sandbox, tenant: Tenant
) -> None:
    response = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=None)

    assert other_client.get(response["Location"]).status_code == 404
    assert other_client.post(response["Location"], {"xero_tenant_id": DEMO_AU_ORG_ID}).status_code == 404
    assert not XeroConnection.objects.exists()


@pytest.mark.parametrize("state", ["", "forged-state-value"])
def test_callback_with_missing_or_wrong_state_is_403_and_stores_nothing(
    admin_client_: Client, xero_sandbox, state: str
) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_AU_ORG_ID])
    params = sandbox_approve(authorize_url_get(admin_client_))
    params["state"] = state

    response = callback_call(admin_client_, params)

    assert response.status_code == 403
    assert not XeroConnection.objects.exists()
    assert xero_sandbox.control.stats()["token"].get("authorization_code", 0) == 0  # code never exchanged


def test_state_cannot_be_reused(admin_client_: Client, xero_sandbox, tenant: Tenant) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_AU_ORG_ID])
    params = sandbox_approve(authorize_url_get(admin_client_))
    assert callback_call(admin_client_, params).status_code == 302
    XeroConnection.objects.all().delete()

    replay = callback_call(admin_client_, params)

    assert replay.status_code == 403
    assert not XeroConnection.objects.exists()


def test_state_expires_after_ten_minutes(admin_client_: Client, xero_sandbox) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_AU_ORG_ID])
    params = sandbox_approve(authorize_url_get(admin_client_))
    XeroPendingAuthorisation.objects.update(created_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=11))

    assert callback_call(admin_client_, params).status_code == 403
    assert not XeroConnection.objects.exists()


def test_state_is_bound_to_the_session_that_started_connect(
    admin_client_: Client, admin_user: User, xero_sandbox
) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_AU_ORG_ID])
    params = sandbox_approve(authorize_url_get(admin_client_))
    same_user_other_session = Client()
    same_user_other_session.force_login(admin_user)

    assert callback_call(same_user_other_session, params).status_code == 403
    assert not XeroConnection.objects.exists()


def test_state_of_one_tenant_is_refused_for_another_tenants_admin(
    admin_client_: Client, other_client: Client, xero_sandbox
) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_AU_ORG_ID])
    params = sandbox_approve(authorize_url_get(admin_client_))

    assert callback_call(other_client, params).status_code == 403
    assert not XeroConnection.objects.exists()


def test_access_denied_on_the_consent_page_shows_a_message_and_stores_nothing(
    admin_client_: Client, xero_sandbox
) -> None:
    xero_sandbox.control.config(auto_approve=False)
    url = authorize_url_get(admin_client_)
    consent = requests.get(url, timeout=10)
    assert consent.status_code == 200 and "Demo Company (AU)" in consent.text
    query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    denied = requests.post(url.split("?")[0], data={**query, "action": "deny"}, allow_redirects=False, timeout=10)
    params = {k: v[-1] for k, v in parse_qs(urlsplit(denied.headers["Location"]).query).items()}
    assert params["error"] == "access_denied"

    response = callback_call(admin_client_, params)

    assert response.status_code == 302
    page = admin_client_.get(response["Location"])
    assert any("cancelled the connection" in m for m in _messages(page))
    assert not XeroConnection.objects.exists()
    assert not XeroPendingAuthorisation.objects.exists()


def test_an_expired_code_shows_a_message_and_stores_nothing(admin_client_: Client, xero_sandbox) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_AU_ORG_ID], code_ttl=300)
    params = sandbox_approve(authorize_url_get(admin_client_))
    xero_sandbox.control.config(clock_offset_seconds=301)  # the code's 5 minutes are over

    response = callback_call(admin_client_, params)

    page = admin_client_.get(response["Location"])
    assert any("invalid_grant" in m and "expired" in m for m in _messages(page))
    assert not XeroConnection.objects.exists()


def test_disconnect_deletes_the_connection_at_xero_revokes_the_grant_and_forgets_it(
    admin_client_: Client, tenant: Tenant, xero_sandbox
) -> None:
    # Authorise both organisations, keep AU: the grant then holds two connections at Xero.
    choose = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=None)
    admin_client_.post(choose["Location"], {"xero_tenant_id": DEMO_AU_ORG_ID})
    connection = XeroConnection.objects.get(tenant=tenant)
    access = secret_decrypt(connection.access_token_encrypted)
    refresh = secret_decrypt(connection.refresh_token_encrypted)
    headers = {"Authorization": f"Bearer {access}"}
    before = requests.get(settings.XERO_CONNECTIONS_URL, headers=headers, timeout=10).json()
    assert {c["tenantId"] for c in before} == {DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID}

    response = admin_client_.post(reverse("xero:disconnect"))

    assert response.status_code == 302
    assert not XeroConnection.objects.filter(tenant=tenant).exists()
    grants = xero_sandbox.control.state()["grants"]
    assert len(grants) == 1 and grants[0]["revoked"] is True
    assert [c["tenantId"] for c in grants[0]["connections"]] == [DEMO_NZ_ORG_ID]  # AU deleted at Xero
    assert requests.get(settings.XERO_CONNECTIONS_URL, headers=headers, timeout=10).status_code == 401
    with pytest.raises(XeroTokenError) as refused:
        token_refresh_grant(refresh_token=refresh)
    assert refused.value.is_invalid_grant
    assert xero_sandbox.control.stats()["token"].get("revocation") == 1
    page = admin_client_.get(response["Location"])
    assert any("Disconnected from Xero" in m for m in _messages(page))


def test_disconnect_forgets_locally_with_a_warning_when_xero_is_unreachable(
    admin_client_: Client, tenant: Tenant, xero_sandbox, settings
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    settings.XERO_CONNECTIONS_URL = "http://127.0.0.1:9/connections"  # nothing listens on port 9
    settings.XERO_REVOKE_URL = "http://127.0.0.1:9/connect/revocation"

    response = admin_client_.post(reverse("xero:disconnect"))

    assert not XeroConnection.objects.filter(tenant=tenant).exists()
    page = admin_client_.get(response["Location"])
    assert any("could not be reached" in m for m in _messages(page))


def test_reconnecting_replaces_tokens_and_clears_needs_reconnect(
    admin_client_: Client, tenant: Tenant, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    XeroConnection.objects.update(status=ConnectionStatus.NEEDS_RECONNECT, status_detail="refused")
    old = XeroConnection.objects.get().access_token_encrypted

    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])

    connection = XeroConnection.objects.get(tenant=tenant)
    assert connection.status == ConnectionStatus.ACTIVE and connection.status_detail == ""
    assert connection.access_token_encrypted != old


def test_connect_without_client_credentials_explains_instead_of_redirecting(admin_client_: Client, settings) -> None:
    settings.XERO_CLIENT_ID = ""

    response = admin_client_.post(reverse("xero:connect"), follow=True)

    assert any("not configured" in m for m in _messages(response))
    assert not XeroPendingAuthorisation.objects.exists()
