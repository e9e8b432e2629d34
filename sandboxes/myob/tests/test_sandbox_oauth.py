"""The sandbox's OAuth 2.0: consent with prompt=consent gives businessId; codes and rotating refresh tokens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from sandboxes.myob.pytest_plugin import MyobSandboxHandle

REDIRECT = "http://localhost:8000/settings/integration/authentication/myob/callback/"


def _authorize(sandbox: MyobSandboxHandle, **extra: str) -> requests.Response:
    params = {
        "client_id": sandbox.api_key,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "sme-company-file sme-sales",
        "state": "s1",
        **extra,
    }
    return requests.get(sandbox.authorize_url, params=params, allow_redirects=False, timeout=10)


def _redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}


def _exchange(sandbox: MyobSandboxHandle, code: str, redirect_uri: str = REDIRECT) -> requests.Response:
    form = {
        "client_id": sandbox.api_key,
        "client_secret": "s",
        "redirect_uri": redirect_uri,
        "code": code,
        "grant_type": "authorization_code",
    }
    return requests.post(sandbox.token_url, data=form, timeout=10)


def _refresh(sandbox: MyobSandboxHandle, refresh_token: str) -> requests.Response:
    form = {
        "client_id": sandbox.api_key,
        "client_secret": "s",
        "refresh_token": refresh_token,
        "grant_type": "refresh_token",
    }
    return requests.post(sandbox.token_url, data=form, timeout=10)


def _customers(sandbox: MyobSandboxHandle, business_id: str, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "x-myobapi-key": sandbox.api_key, "x-myobapi-version": "v2"}
    return requests.get(f"{sandbox.api_url}/{business_id}/Contact/Customer", headers=headers, timeout=10)


def test_consent_page_then_allow_redirects_with_code_business_id_and_name(myob_sandbox: MyobSandboxHandle) -> None:
    page = _authorize(myob_sandbox, prompt="consent")
    assert page.status_code == 200
    assert "Legacy Freight File" in page.text and "Allow access" in page.text
    form = {
        "client_id": myob_sandbox.api_key,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "sme-sales",
        "prompt": "consent",
        "state": "s1",
        "action": "allow",
        "business_id": myob_sandbox.legacy_business_id,
    }
    allowed = requests.post(myob_sandbox.authorize_url, data=form, allow_redirects=False, timeout=10)
    params = _redirect_params(allowed)
    assert params["businessId"] == myob_sandbox.legacy_business_id
    assert params["businessName"] == "Legacy Freight File (AccountRight 2013)"
    assert params["state"] == "s1"
    token = _exchange(myob_sandbox, params["code"]).json()
    assert _customers(myob_sandbox, myob_sandbox.legacy_business_id, token["access_token"]).status_code == 200
    # One consent covers one file.
    other = _customers(myob_sandbox, myob_sandbox.business_id, token["access_token"])
    assert other.status_code == 403 and other.json()["Errors"][0]["Name"] == "AccessDenied"


def test_cancel_redirects_with_access_denied(myob_sandbox: MyobSandboxHandle) -> None:
    form = {
        "client_id": myob_sandbox.api_key,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "prompt": "consent",
        "state": "s9",
        "action": "cancel",
    }
    params = _redirect_params(requests.post(myob_sandbox.authorize_url, data=form, allow_redirects=False, timeout=10))
    assert params == {"error": "access_denied", "state": "s9"}


def test_without_prompt_consent_no_business_id_comes_back_and_no_file_is_reachable(
    myob_sandbox: MyobSandboxHandle,
) -> None:
    params = _redirect_params(_authorize(myob_sandbox))
    assert "code" in params and "businessId" not in params
    token = _exchange(myob_sandbox, params["code"]).json()["access_token"]
    assert _customers(myob_sandbox, myob_sandbox.business_id, token).status_code == 403


def test_code_is_single_use_and_redirect_uri_must_match(myob_sandbox: MyobSandboxHandle) -> None:
    myob_sandbox.control.config(auto_approve=True)
    code = _redirect_params(_authorize(myob_sandbox, prompt="consent"))["code"]
    assert _exchange(myob_sandbox, code, redirect_uri=REDIRECT.rstrip("/")).json()["error"] == "invalid_grant"
    assert _exchange(myob_sandbox, code).json()["error"] == "invalid_grant"  # spent by the failed try
    code = _redirect_params(_authorize(myob_sandbox, prompt="consent"))["code"]
    token = _exchange(myob_sandbox, code)
    assert token.status_code == 200
    assert token.json()["expires_in"] == "1200"


def test_token_endpoint_wants_a_form_not_json(myob_sandbox: MyobSandboxHandle) -> None:
    response = requests.post(myob_sandbox.token_url, json={"grant_type": "refresh_token"}, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(myob_sandbox: MyobSandboxHandle) -> None:
    first = myob_sandbox.token()
    second = _refresh(myob_sandbox, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    again = _refresh(myob_sandbox, first["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert _refresh(myob_sandbox, second.json()["refresh_token"]).status_code == 200
    assert _customers(myob_sandbox, myob_sandbox.business_id, second.json()["access_token"]).status_code == 200


def test_access_token_expires(myob_sandbox: MyobSandboxHandle) -> None:
    token = myob_sandbox.token()["access_token"]
    myob_sandbox.control.advance_clock(1201)
    response = _customers(myob_sandbox, myob_sandbox.business_id, token)
    assert response.status_code == 401
    assert response.json()["Errors"][0]["Name"] == "OAuthTokenIsInvalid"
