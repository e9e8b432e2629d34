"""MYOB's OAuth 2.0 endpoints: the consent page and the token endpoint (exchange and rotating refresh).

Sources (see /docs in the README): authorize and token URLs from MYOB's .NET SDK
``OAuthRequestHandler.cs`` and apisupport article 360001459455; ``businessId``/``businessName`` on the
redirect only with ``prompt=consent`` (apisupport article 12861196770447, keys created after 12 March 2025).
"""

from __future__ import annotations

import secrets
from typing import Any

from sandboxes.wire import Request, Response

from . import ui
from .errors import one
from .state import AccessToken, AuthCode, Grant, RefreshToken, SandboxState

SANDBOX_USER_UID = "8b6c1f0e-2d3a-4f5b-9c7d-1e2f3a4b5c6d"
SANDBOX_USERNAME = "demo.admin@sandbox.example"
_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "prompt", "state")


def _oauth_error(error: str, description: str) -> Response:
    return Response.json(400, {"error": error, "error_description": description})


def issue_tokens(state: SandboxState, grant: Grant) -> dict[str, Any]:
    """A new access/refresh pair for a grant (caller holds the lock)."""
    ttl = state.config.access_token_ttl
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    state.access_tokens[access] = AccessToken(access, grant.grant_id, state.now() + ttl)
    state.refresh_tokens[refresh] = RefreshToken(refresh, grant.grant_id)
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": str(ttl),  # MYOB sends a string; clients must accept both
        "refresh_token": refresh,
        "scope": grant.scope,
        "user": {"uid": SANDBOX_USER_UID, "username": SANDBOX_USERNAME},
    }


def grant_create(state: SandboxState, *, client_id: str, scope: str, business_id: str | None) -> Grant:
    grant = Grant(secrets.token_hex(8), client_id, scope, business_id)
    state.grants[grant.grant_id] = grant
    return grant


def authorize(state: SandboxState, request: Request) -> Response:
    if request.method == "POST":
        form = request.form()
        params = {k: form[k] for k in _PARAMS if k in form}
    else:
        form = {}
        params = {k: v for k in _PARAMS if (v := request.q(k)) is not None}
    client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
    if not client_id or not redirect_uri:
        return Response.html(400, ui.error_page("invalid_request", "client_id and redirect_uri are required."))
    with state.lock:
        config = state.config
        if config.client_id and client_id != config.client_id:
            return Response.html(400, ui.error_page("unauthorized_client", f"Unknown client_id {client_id!r}."))
        back = {"state": params["state"]} if "state" in params else {}
        if params.get("response_type") != "code":
            return Response.redirect(redirect_uri, {"error": "unsupported_response_type", **back})
        consent = params.get("prompt") == "consent"
        business_id: str | None = None
        if consent:
            if request.method == "GET" and not config.auto_approve:
                return Response.html(200, ui.consent_page(params=params, businesses=list(state.businesses.values())))
            if request.method == "POST":
                if form.get("action") != "allow":
                    return Response.redirect(redirect_uri, {"error": "access_denied", **back})
                business_id = form.get("business_id")
            else:
                business_id = config.approve_business_id or next(iter(state.businesses))
            if business_id not in state.businesses:
                return Response.html(400, ui.error_page("invalid_request", "Choose a company file."))
        # Without prompt=consent a key created after March 2025 gets a code but no businessId.
        code = AuthCode(
            secrets.token_urlsafe(24),
            client_id,
            redirect_uri,
            params.get("scope", ""),
            business_id,
            state.now() + config.code_ttl,
        )
        state.codes[code.code] = code
        extra = {}
        if business_id:
            extra = {"businessId": business_id, "businessName": state.businesses[business_id].name}
    return Response.redirect(redirect_uri, {"code": code.code, **back, **extra})


def token(state: SandboxState, request: Request) -> Response:
    if "application/x-www-form-urlencoded" not in (request.header("content-type") or "").lower():
        return _oauth_error("invalid_request", "The body must be form-encoded")
    form = request.form()
    grant_type = form.get("grant_type", "")
    state.count("token", grant_type or "(none)")
    client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
    with state.lock:
        config = state.config
        if not client_id or not client_secret:
            return _oauth_error("invalid_request", "client_id and client_secret are required")
        if (config.client_id and client_id != config.client_id) or (
            config.client_secret and client_secret != config.client_secret
        ):
            return _oauth_error("invalid_client", "Unknown client")
        if grant_type == "authorization_code":
            code = state.codes.get(form.get("code", ""))
            if code is None or code.used or code.expires_at <= state.now():
                return _oauth_error("invalid_grant", "The code is invalid or expired")
            code.used = True
            if code.client_id != client_id or code.redirect_uri != form.get("redirect_uri", ""):
                return _oauth_error("invalid_grant", "redirect_uri or client_id does not match")
            grant = grant_create(state, client_id=client_id, scope=code.scope, business_id=code.business_id)
            return Response.json(200, issue_tokens(state, grant))
        if grant_type == "refresh_token":
            record = state.refresh_tokens.get(form.get("refresh_token", ""))
            refreshed = state.grants.get(record.grant_id) if record else None
            # Rotating: each refresh token works once; the old one is refused from then on.
            if record is None or refreshed is None or record.spent or refreshed.client_id != client_id:
                return _oauth_error("invalid_grant", "The refresh token is invalid")
            record.spent = True
            return Response.json(200, issue_tokens(state, refreshed))
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")


def bearer_grant(state: SandboxState, request: Request) -> tuple[Grant | None, Response | None]:
    """The grant behind ``Authorization: Bearer``, else MYOB's 401."""
    auth = request.header("authorization") or ""
    with state.lock:
        record = state.access_tokens.get(auth[7:].strip()) if auth.lower().startswith("bearer ") else None
        if record is None:
            return None, one(401, "OAuthTokenIsInvalid", "The supplied OAuth token (Bearer) is not valid")
        if record.expires_at <= state.now():
            return None, one(401, "OAuthTokenIsInvalid", "The supplied OAuth token (Bearer) has expired")
        return state.grants[record.grant_id], None
