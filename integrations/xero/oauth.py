"""Xero identity endpoints: authorize URL with state + PKCE, and the one small HTTP helper.

PKCE and state come from Authlib (``generate_token`` and ``create_s256_code_challenge``); the HTTP
calls to the token, revocation and connections endpoints go through :func:`identity_request` so
every one of them has a timeout and maps errors to :class:`XeroTokenError` the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.utils import timezone

from integrations.xero.exceptions import XeroTokenError

logger = logging.getLogger(__name__)


def http_timeout() -> tuple[float, float]:
    """(connect, read) seconds for every outbound Xero call, from ``XERO_HTTP_TIMEOUT``."""
    read = float(settings.XERO_HTTP_TIMEOUT)
    return (min(10.0, read), read)


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    code_verifier: str


def authorization_request_build() -> AuthorizationRequest:
    """A fresh state and PKCE verifier, and the authorize URL carrying state + S256 challenge."""
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/pkce-flow
    state = generate_token(43)
    code_verifier = generate_token(64)  # RFC 7636: 43-128 characters
    query = {
        "response_type": "code",
        "client_id": settings.XERO_CLIENT_ID,
        "redirect_uri": settings.XERO_REDIRECT_URI,
        "scope": settings.XERO_SCOPES,
        "state": state,
        "code_challenge": create_s256_code_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    return AuthorizationRequest(
        url=f"{settings.XERO_AUTHORIZE_URL}?{urlencode(query)}", state=state, code_verifier=code_verifier
    )


def identity_request(
    method: str,
    url: str,
    *,
    data: dict[str, str] | None = None,
    access_token: str | None = None,
    client_auth: bool = False,
) -> Any:
    """Call an identity endpoint; return the parsed JSON (``None`` for an empty body).

    Raises :class:`XeroTokenError` for a network failure or any non-2xx answer, with the OAuth
    ``error`` code when the body carries one (e.g. ``invalid_grant``).
    """
    headers = {"Accept": "application/json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    auth = (settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET) if client_auth else None
    try:
        response = requests.request(method, url, data=data, headers=headers, auth=auth, timeout=http_timeout())
    except requests.RequestException as exc:
        logger.warning("Xero identity call %s %s failed: %s", method, url, type(exc).__name__)
        raise XeroTokenError("network", type(exc).__name__) from exc
    if not response.ok:
        error, description = f"http_{response.status_code}", response.text[:300]
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error = str(body.get("error") or error)
            description = str(body.get("error_description") or body.get("Detail") or body.get("detail") or "")
        raise XeroTokenError(error, description, status=response.status_code)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise XeroTokenError("bad_response", "not JSON", status=response.status_code) from exc


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime
    scope: str

    @classmethod
    def from_response(cls, body: Any) -> TokenSet:
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            raise XeroTokenError("bad_response", "token response without access_token/refresh_token")
        expires_in = int(body.get("expires_in") or 1800)
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_at=timezone.now() + dt.timedelta(seconds=expires_in),
            scope=str(body.get("scope") or ""),
        )


def token_exchange_code(*, code: str, code_verifier: str) -> TokenSet:
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/auth-flow#3-exchange-the-code
    body = identity_request(
        "POST",
        settings.XERO_TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.XERO_REDIRECT_URI,
            "code_verifier": code_verifier,
        },
        client_auth=True,
    )
    return TokenSet.from_response(body)


def token_refresh_grant(*, refresh_token: str) -> TokenSet:
    """Spend ``refresh_token`` for a new pair. Xero rotates: the old refresh token dies after 30 min."""
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/auth-flow#refreshing-access-and-refresh-tokens
    body = identity_request(
        "POST",
        settings.XERO_TOKEN_URL,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        client_auth=True,
    )
    return TokenSet.from_response(body)


def token_revoke(*, refresh_token: str) -> None:
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/auth-flow#revoking-tokens
    identity_request("POST", settings.XERO_REVOKE_URL, data={"token": refresh_token}, client_auth=True)


def connections_list(*, access_token: str) -> list[dict[str, Any]]:
    """The organisations this token may reach (``tenantType`` ORGANISATION only)."""
    body = identity_request("GET", settings.XERO_CONNECTIONS_URL, access_token=access_token)
    if not isinstance(body, list):
        raise XeroTokenError("bad_response", "connections response is not a list")
    return [c for c in body if isinstance(c, dict) and c.get("tenantType", "ORGANISATION") == "ORGANISATION"]


def connection_delete(*, access_token: str, connection_id: str) -> None:
    url = f"{settings.XERO_CONNECTIONS_URL.rstrip('/')}/{connection_id}"
    identity_request("DELETE", url, access_token=access_token)
