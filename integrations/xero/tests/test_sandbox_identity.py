"""The sandbox's identity side over real HTTP: consent, code exchange with PKCE, rotation, revocation,
connections. These are the behaviours the product's OAuth code relies on, so each one must be Xero's."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from xero_python.exceptions import HTTPStatusException

from integrations.xero.sandbox import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID
from integrations.xero.sandbox.testing import sdk_clients

REDIRECT = "http://testserver/callback/"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize_params(challenge: str, state: str = "st-1") -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "sandbox-client-id",
        "redirect_uri": REDIRECT,
        "scope": "openid profile email offline_access accounting.invoices accounting.contacts",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _approve(base_url: str, challenge: str, org_ids: list[str], client_id: str = "sandbox-client-id") -> dict[str, str]:
    data = {**_authorize_params(challenge), "client_id": client_id, "action": "allow", "org_id": org_ids}
    response = requests.post(f"{base_url}/identity/connect/authorize", data=data, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    return _query(response.headers["Location"])


def _exchange(
    base_url: str,
    auth_code: str,
    verifier: str,
    auth: tuple[str, str] = ("sandbox-client-id", "sandbox-client-secret"),
    overrides: dict[str, str] | None = None,
) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": auth_code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    data.update(overrides or {})
    return requests.post(f"{base_url}/connect/token", data=data, auth=auth, timeout=5)


def _refresh(base_url: str, refresh_token: str) -> requests.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret"}  # fmt: skip
    return requests.post(f"{base_url}/connect/token", data=data, timeout=5)


def _connected(xero_sandbox: Any, org_ids: list[str]) -> dict[str, Any]:
    verifier, challenge = _pkce()
    code = _approve(xero_sandbox.base_url, challenge, org_ids)["code"]
    response = _exchange(xero_sandbox.base_url, code, verifier)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_consent_page_lists_every_organisation_with_allow_and_cancel(xero_sandbox: Any) -> None:
    _, challenge = _pkce()
    response = requests.get(
        f"{xero_sandbox.base_url}/identity/connect/authorize", params=_authorize_params(challenge), timeout=5
    )

    assert response.status_code == 200
    assert "Demo Company (AU)" in response.text and "Demo Company (NZ)" in response.text
    assert response.text.count("type=checkbox name=org_id") == 2
    assert "value=allow" in response.text and "value=cancel" in response.text


def test_allow_redirects_with_a_code_and_the_state(xero_sandbox: Any) -> None:
    _, challenge = _pkce()

    query = _approve(xero_sandbox.base_url, challenge, [DEMO_AU_ORG_ID])

    assert query["state"] == "st-1"
    assert len(query["code"]) > 20


def test_cancel_redirects_with_access_denied_and_the_state(xero_sandbox: Any) -> None:
    _, challenge = _pkce()
    data = {**_authorize_params(challenge, state="st-9"), "action": "cancel"}

    response = requests.post(
        f"{xero_sandbox.base_url}/identity/connect/authorize", data=data, allow_redirects=False, timeout=5
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT)
    assert _query(response.headers["Location"]) == {"error": "access_denied", "state": "st-9"}


def test_auto_approve_redirects_at_once_with_the_configured_organisations(xero_sandbox: Any) -> None:
    xero_sandbox.control.config(auto_approve=True, approve_org_ids=[DEMO_NZ_ORG_ID])
    verifier, challenge = _pkce()

    response = requests.get(
        f"{xero_sandbox.base_url}/identity/connect/authorize",
        params=_authorize_params(challenge),
        allow_redirects=False,
        timeout=5,
    )
    token = _exchange(xero_sandbox.base_url, _query(response.headers["Location"])["code"], verifier).json()
    connections = sdk_clients(xero_sandbox.base_url, token).identity.get_connections()

    assert response.status_code == 302
    assert [(c.tenant_id, c.tenant_name, c.tenant_type) for c in connections] == [
        (DEMO_NZ_ORG_ID, "Demo Company (NZ)", "ORGANISATION")
    ]


def test_code_exchange_returns_a_30_minute_bearer_token_pair(xero_sandbox: Any) -> None:
    token = _connected(xero_sandbox, [DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID])

    assert token["expires_in"] == 1800
    assert token["token_type"] == "Bearer"
    assert token["access_token"] and token["refresh_token"] and token["id_token"]
    assert "accounting.invoices" in token["scope"]
    assert xero_sandbox.control.stats()["token"] == {"authorization_code": 1}


@pytest.mark.parametrize(
    "overrides",
    [{"code_verifier": "not-the-verifier"}, {"redirect_uri": "http://evil.example/cb"}, {"code": "made-up"}],
    ids=["wrong-pkce-verifier", "other-redirect-uri", "unknown-code"],
)
def test_a_bad_code_exchange_is_invalid_grant(xero_sandbox: Any, overrides: dict[str, str]) -> None:
    verifier, challenge = _pkce()
    code = _approve(xero_sandbox.base_url, challenge, [DEMO_AU_ORG_ID])["code"]

    response = _exchange(xero_sandbox.base_url, code, verifier, overrides=overrides)

    assert response.status_code == 400
    assert response.text == '{"error":"invalid_grant"}'


def test_a_code_works_once(xero_sandbox: Any) -> None:
    verifier, challenge = _pkce()
    code = _approve(xero_sandbox.base_url, challenge, [DEMO_AU_ORG_ID])["code"]

    first = _exchange(xero_sandbox.base_url, code, verifier)
    second = _exchange(xero_sandbox.base_url, code, verifier)

    assert first.status_code == 200
    assert second.status_code == 400 and second.json() == {"error": "invalid_grant"}


def test_a_code_expires_after_five_minutes(xero_sandbox: Any) -> None:
    verifier, challenge = _pkce()
    code = _approve(xero_sandbox.base_url, challenge, [DEMO_AU_ORG_ID])["code"]
    xero_sandbox.control.advance_clock(301)

    assert _exchange(xero_sandbox.base_url, code, verifier).json() == {"error": "invalid_grant"}


def test_a_configured_client_rejects_other_credentials(xero_sandbox: Any) -> None:
    xero_sandbox.control.config(client_id="real-id", client_secret="real-secret")
    verifier, challenge = _pkce()
    code = _approve(xero_sandbox.base_url, challenge, [DEMO_AU_ORG_ID], client_id="real-id")["code"]

    wrong = _exchange(xero_sandbox.base_url, code, verifier, auth=("real-id", "guessed"))
    unknown_client = requests.get(
        f"{xero_sandbox.base_url}/identity/connect/authorize", params=_authorize_params(challenge), timeout=5
    )

    assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_client"}
    assert unknown_client.status_code == 400


def test_refresh_rotates_and_the_spent_token_keeps_working_during_the_grace(xero_sandbox: Any) -> None:
    first = _connected(xero_sandbox, [DEMO_AU_ORG_ID])

    second = _refresh(xero_sandbox.base_url, first["refresh_token"]).json()
    xero_sandbox.control.advance_clock(29 * 60)
    again = _refresh(xero_sandbox.base_url, first["refresh_token"])

    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert again.status_code == 200
    assert xero_sandbox.control.stats()["token"]["refresh_token"] == 2


def test_a_spent_refresh_token_is_invalid_grant_after_the_grace(xero_sandbox: Any) -> None:
    first = _connected(xero_sandbox, [DEMO_AU_ORG_ID])
    second = _refresh(xero_sandbox.base_url, first["refresh_token"]).json()
    xero_sandbox.control.advance_clock(31 * 60)

    spent = _refresh(xero_sandbox.base_url, first["refresh_token"])
    fresh = _refresh(xero_sandbox.base_url, second["refresh_token"])

    assert spent.status_code == 400 and spent.text == '{"error":"invalid_grant"}'
    assert fresh.status_code == 200


def test_the_sdk_token_api_refreshes_against_the_sandbox(xero_sandbox: Any) -> None:
    token = _connected(xero_sandbox, [DEMO_AU_ORG_ID])
    clients = sdk_clients(xero_sandbox.base_url, token)

    new = clients.tokens.refresh_token(token["refresh_token"], token["scope"].split())

    assert new["refresh_token"] != token["refresh_token"]
    assert new["expires_in"] == 1800


def test_an_access_token_expires_after_30_minutes(xero_sandbox: Any) -> None:
    token = _connected(xero_sandbox, [DEMO_AU_ORG_ID])
    clients = sdk_clients(xero_sandbox.base_url, token)
    clients.accounting.get_organisations(DEMO_AU_ORG_ID)
    xero_sandbox.control.advance_clock(1801)

    with pytest.raises(HTTPStatusException) as error:
        clients.accounting.get_organisations(DEMO_AU_ORG_ID)

    assert error.value.status == 401
    assert "TokenExpired" in error.value.body.decode()


def test_revocation_kills_the_refresh_token_and_the_access_token(xero_sandbox: Any) -> None:
    token = _connected(xero_sandbox, [DEMO_AU_ORG_ID])
    clients = sdk_clients(xero_sandbox.base_url, token)

    assert clients.tokens.revoke_token(token["refresh_token"]) == 200
    assert _refresh(xero_sandbox.base_url, token["refresh_token"]).json() == {"error": "invalid_grant"}
    with pytest.raises(HTTPStatusException) as error:
        clients.identity.get_connections()
    assert error.value.status == 401


def test_deleting_a_connection_makes_that_organisation_unreachable(xero_sandbox: Any) -> None:
    token = _connected(xero_sandbox, [DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID])
    clients = sdk_clients(xero_sandbox.base_url, token)
    au = next(c for c in clients.identity.get_connections() if c.tenant_id == DEMO_AU_ORG_ID)

    clients.identity.delete_connection(au.id)

    assert [c.tenant_id for c in clients.identity.get_connections()] == [DEMO_NZ_ORG_ID]
    with pytest.raises(HTTPStatusException) as error:
        clients.accounting.get_organisations(DEMO_AU_ORG_ID)
    assert error.value.status == 403
    assert clients.accounting.get_organisations(DEMO_NZ_ORG_ID).organisations[0].name == "Demo Company (NZ)"


def test_an_unauthorised_tenant_is_forbidden(xero_sandbox: Any) -> None:
    token = _connected(xero_sandbox, [DEMO_AU_ORG_ID])

    with pytest.raises(HTTPStatusException) as error:
        sdk_clients(xero_sandbox.base_url, token).accounting.get_organisations(DEMO_NZ_ORG_ID)

    assert error.value.status == 403
