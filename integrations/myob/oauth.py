"""MYOB's OAuth 2.0 (authorization code): the consent URL, the redirect, token exchange and refresh.

No state is kept here: the redesign's token store calls these under its per-connection lock and saves
the new pair atomically before using it (MYOB rotates refresh tokens, so a pair lost after a refresh
strands the connection; a second refresh with the old token gets ``invalid_grant``).

# MYOB docs: https://apisupport.myob.com/hc/en-us/articles/360001459455 (authorize, token exchange)
# MYOB docs: https://apisupport.myob.com/hc/en-us/articles/12861196770447 (businessId needs prompt=consent)
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from .errors import MyobAuthError, MyobPermanent, MyobUncertain, MyobWait

#: Company file, customers, sales, and the general ledger for accounts and tax codes (pymyob 3.0 names).
DEFAULT_SCOPES = "sme-company-file sme-contacts-customer sme-sales sme-general-ledger"
REFRESH_MARGIN = dt.timedelta(seconds=60)  # MYOB's .NET SDK refreshes 60 s before expiry


@dataclass(frozen=True)
class MyobOAuthConfig:
    authorize_url: str  # https://secure.myob.com/oauth2/account/authorize
    token_url: str  # https://secure.myob.com/oauth2/v1/authorize
    client_id: str  # the API key
    client_secret: str
    redirect_uri: str  # must equal the registered one character for character (trailing slash too)
    scopes: str = DEFAULT_SCOPES
    connect_timeout: float = 10.0
    read_timeout: float = 30.0


@dataclass(frozen=True)
class MyobConsent:
    code: str
    business_id: str
    business_name: str


@dataclass(frozen=True)
class MyobTokens:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime
    scope: str

    def needs_refresh(self, *, now: dt.datetime) -> bool:
        return now >= self.expires_at - REFRESH_MARGIN


class MyobReconnectRequired(MyobAuthError):
    """MYOB refused the code or refresh token (``invalid_grant``): an admin must consent again."""


def myob_oauth_state() -> str:
    return secrets.token_urlsafe(32)


def myob_authorize_url(*, config: MyobOAuthConfig, state: str) -> str:
    """The consent page; ``prompt=consent`` is what makes MYOB send ``businessId`` back."""
    params = {
        "client_id": config.client_id,
        "redirect_uri": config.redirect_uri,
        "response_type": "code",
        "scope": config.scopes,
        "prompt": "consent",
        "state": state,
    }
    return f"{config.authorize_url}?{urlencode(params)}"


def myob_consent_parse(*, params: Mapping[str, str], expected_state: str) -> MyobConsent:
    """The redirect's query: refuses a wrong state, a refusal, or a consent without a company file."""
    if not expected_state or not secrets.compare_digest(params.get("state", ""), expected_state):
        raise MyobPermanent("The MYOB sign-in answer does not belong to this session (state mismatch)")
    if params.get("error"):
        raise MyobPermanent(f"MYOB consent was not given: {params['error']}")
    code, business_id = params.get("code", ""), params.get("businessId", "")
    if not code or not business_id:
        raise MyobPermanent("MYOB sent no company file (businessId); connect again and choose one")
    return MyobConsent(code=code, business_id=business_id, business_name=params.get("businessName", ""))


def _tokens(body: object, *, now: dt.datetime) -> MyobTokens:
    if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
        raise MyobUncertain("MYOB's token answer has no tokens", method="POST")
    try:
        expires_in = int(body.get("expires_in") or 0)  # MYOB sends a string ("1200"); accept both
    except (TypeError, ValueError):
        expires_in = 0
    return MyobTokens(
        access_token=str(body["access_token"]),
        refresh_token=str(body["refresh_token"]),
        expires_at=now + dt.timedelta(seconds=max(expires_in, 0)),
        scope=str(body.get("scope") or ""),
    )


def _token_post(config: MyobOAuthConfig, form: dict[str, str], *, now: dt.datetime | None) -> MyobTokens:
    now = now or dt.datetime.now(dt.UTC)
    try:
        response = requests.post(
            config.token_url, data=form, timeout=(config.connect_timeout, config.read_timeout), allow_redirects=False
        )
    except requests.ConnectTimeout as exc:
        raise MyobWait(f"MYOB token endpoint unreachable: {exc}", method="POST", retry_after=5.0) from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        # A refresh may have happened and its new pair is lost: the old refresh token is now spent.
        raise MyobUncertain(f"MYOB token endpoint gave no answer: {exc}", method="POST") from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200:
        return _tokens(body, now=now)
    error = body.get("error") if isinstance(body, dict) else None
    if error == "invalid_grant":
        raise MyobReconnectRequired("MYOB refused the grant (invalid_grant): connect again", status=400, method="POST")
    if response.status_code >= 500:
        raise MyobUncertain(
            f"MYOB token endpoint answered {response.status_code}", status=response.status_code, method="POST"
        )
    raise MyobPermanent(
        f"MYOB token endpoint answered {response.status_code}: {error or 'no error code'}",
        status=response.status_code,
        method="POST",
    )


def myob_token_exchange(*, config: MyobOAuthConfig, code: str, now: dt.datetime | None = None) -> MyobTokens:
    form = {
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "redirect_uri": config.redirect_uri,
        "code": code,
        "grant_type": "authorization_code",
    }
    return _token_post(config, form, now=now)


def myob_token_refresh(*, config: MyobOAuthConfig, refresh_token: str, now: dt.datetime | None = None) -> MyobTokens:
    """A new pair; the refresh token passed in is spent from now on (MYOB rotates it)."""
    form = {
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "refresh_token": refresh_token,
        "grant_type": "refresh_token",
    }
    return _token_post(config, form, now=now)
