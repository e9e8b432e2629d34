"""MYOB OAuth helpers against the sandbox: consent with businessId, exchange, rotating refresh, reconnect."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from integrations.myob.client import MyobClient, MyobConfig
from integrations.myob.errors import MyobPermanent
from integrations.myob.oauth import (
    MyobOAuthConfig,
    MyobReconnectRequired,
    myob_authorize_url,
    myob_consent_parse,
    myob_oauth_state,
    myob_token_exchange,
    myob_token_refresh,
)
from sandboxes.myob.pytest_plugin import MyobSandboxHandle

REDIRECT = "http://localhost:8000/settings/integration/authentication/myob/callback/"
NOW = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)


def _config(sandbox: MyobSandboxHandle) -> MyobOAuthConfig:
    return MyobOAuthConfig(
        authorize_url=sandbox.authorize_url,
        token_url=sandbox.token_url,
        client_id=sandbox.api_key,
        client_secret="sandbox-secret",
        redirect_uri=REDIRECT,
    )


def _consent(sandbox: MyobSandboxHandle, state: str) -> dict[str, str]:
    url = myob_authorize_url(config=_config(sandbox), state=state)
    assert "prompt=consent" in url
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return {k: v[-1] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_consent_exchange_and_a_working_client(myob_sandbox: MyobSandboxHandle) -> None:
    myob_sandbox.control.config(auto_approve=True, approve_business_id=myob_sandbox.legacy_business_id)
    state = myob_oauth_state()
    consent = myob_consent_parse(params=_consent(myob_sandbox, state), expected_state=state)
    assert consent.business_id == myob_sandbox.legacy_business_id
    assert consent.business_name == "Legacy Freight File (AccountRight 2013)"
    tokens = myob_token_exchange(config=_config(myob_sandbox), code=consent.code, now=NOW)
    assert tokens.expires_at == NOW + dt.timedelta(seconds=1200)  # from MYOB's string "1200"
    assert not tokens.needs_refresh(now=NOW + dt.timedelta(seconds=1139))
    assert tokens.needs_refresh(now=NOW + dt.timedelta(seconds=1140))
    client = MyobClient(
        config=MyobConfig(api_url=myob_sandbox.api_url, api_key=myob_sandbox.api_key),
        business_id=consent.business_id,
        access_token=lambda: tokens.access_token,
    )
    assert client.tax_codes_list()
    sent = myob_sandbox.control.requests(path="/oauth2/v1/authorize")[-1]["body"]
    assert sent["grant_type"] == "authorization_code" and sent["redirect_uri"] == REDIRECT


def test_refresh_rotates_and_a_spent_token_means_reconnect(myob_sandbox: MyobSandboxHandle) -> None:
    config = _config(myob_sandbox)
    first = myob_sandbox.token()
    second = myob_token_refresh(config=config, refresh_token=first["refresh_token"])
    assert second.refresh_token != first["refresh_token"]
    with pytest.raises(MyobReconnectRequired):
        myob_token_refresh(config=config, refresh_token=first["refresh_token"])
    assert myob_token_refresh(config=config, refresh_token=second.refresh_token).access_token


def test_consent_parse_refuses_wrong_state_refusal_and_missing_file(myob_sandbox: MyobSandboxHandle) -> None:
    with pytest.raises(MyobPermanent, match="state"):
        myob_consent_parse(params={"code": "c", "businessId": "b", "state": "other"}, expected_state="mine")
    with pytest.raises(MyobPermanent, match="access_denied"):
        myob_consent_parse(params={"error": "access_denied", "state": "mine"}, expected_state="mine")
    # Without prompt=consent MYOB sends no businessId: the sandbox does the same.
    url = myob_authorize_url(config=_config(myob_sandbox), state="mine").replace("&prompt=consent", "")
    location = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    params = {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}
    with pytest.raises(MyobPermanent, match="businessId"):
        myob_consent_parse(params=params, expected_state="mine")


def test_a_spent_code_is_reconnect(myob_sandbox: MyobSandboxHandle) -> None:
    myob_sandbox.control.config(auto_approve=True)
    consent = myob_consent_parse(params=_consent(myob_sandbox, "s"), expected_state="s")
    myob_token_exchange(config=_config(myob_sandbox), code=consent.code)
    with pytest.raises(MyobReconnectRequired):
        myob_token_exchange(config=_config(myob_sandbox), code=consent.code)
