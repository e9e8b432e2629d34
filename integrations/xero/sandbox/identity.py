"""Xero identity endpoints: authorize (consent page), token, revocation and connections.

Token rules follow Xero: 30-minute access tokens; each refresh returns a new refresh token and the
spent one keeps working for a 30-minute grace period only; revocation kills the whole grant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from . import ui
from .shapes import iso_datetime, new_id, problem, utc_string
from .state import AccessToken, AuthCode, Grant, RefreshToken, SandboxState
from .wire import Request, Response

INVALID_GRANT = '{"error":"invalid_grant"}'  # the SDK matches this exact text
_SIGNING_KEY = secrets.token_bytes(32)
SANDBOX_USER_ID = "5c1f4b4a-3b8e-4a6e-9d11-2f1a0c9e8b70"
SANDBOX_USER_EMAIL = "demo.user@sandbox.example"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(payload: dict[str, Any]) -> str:
    """A JWT-shaped token (HS256 with a per-process key) so clients that peek at claims can."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "sandbox"}).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(_SIGNING_KEY, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"


def issue_tokens(state: SandboxState, grant: Grant, *, nonce: str | None = None) -> dict[str, Any]:
    """Mint an access/refresh pair for a grant (caller holds the lock)."""
    now = state.now()
    ttl = state.config.access_token_ttl
    access = _jwt(
        {
            "nbf": int(now), "exp": int(now + ttl), "iss": "https://identity.xero.com",
            "aud": "https://identity.xero.com/resources", "client_id": grant.client_id,
            "sub": SANDBOX_USER_ID, "auth_time": int(now), "xero_userid": grant.user_id,
            "global_session_id": grant.grant_id, "jti": secrets.token_hex(16),
            "authentication_event_id": grant.auth_event_id, "scope": grant.scope.split(),
        }
    )  # fmt: skip
    refresh = secrets.token_urlsafe(32)
    state.access_tokens[access] = AccessToken(access, grant.grant_id, now + ttl)
    state.refresh_tokens[refresh] = RefreshToken(refresh, grant.grant_id, now)
    token: dict[str, Any] = {
        "access_token": access,
        "expires_in": ttl,
        "token_type": "Bearer",
        "refresh_token": refresh,
        "scope": grant.scope,
    }
    if "openid" in grant.scope.split():
        token["id_token"] = _jwt(
            {
                "nbf": int(now), "exp": int(now + 300), "iss": "https://identity.xero.com",
                "aud": grant.client_id, "iat": int(now), "at_hash": _b64(hashlib.sha256(access.encode()).digest()[:16]),
                "sid": grant.grant_id, "sub": SANDBOX_USER_ID, "auth_time": int(now), "xero_userid": grant.user_id,
                "global_session_id": grant.grant_id, "preferred_username": SANDBOX_USER_EMAIL,
                "email": SANDBOX_USER_EMAIL, "given_name": "Demo", "family_name": "User", "nonce": nonce,
            }
        )  # fmt: skip
    return token


def grant_create(state: SandboxState, *, client_id: str, scope: str, org_ids: list[str]) -> Grant:
    now = state.now()
    grant = Grant(grant_id=new_id(), client_id=client_id, scope=scope, auth_event_id=new_id(), user_id=SANDBOX_USER_ID)
    for org_id in org_ids:
        grant.connections[new_id()] = {"org_id": org_id, "created": now}
    state.grants[grant.grant_id] = grant
    return grant


# --- authorize ---------------------------------------------------------------------------------

_AUTH_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
                "code_challenge_method", "nonce")  # fmt: skip


def authorize(state: SandboxState, request: Request) -> Response:
    if request.method == "POST":
        form = request.form()
        params = {k: form[k][-1] for k in _AUTH_PARAMS if k in form}
    else:
        params = {k: v for k in _AUTH_PARAMS if (v := request.q(k)) is not None}
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
        if params.get("code_challenge") and params.get("code_challenge_method", "plain") not in ("S256", "plain"):
            return Response.redirect(redirect_uri, {"error": "invalid_request", **back})
        orgs = state.org_list()
        if request.method == "GET" and not config.auto_approve:
            return Response.html(200, ui.consent_page(params=params, orgs=orgs))
        if request.method == "POST" and form.get("action", [""])[-1] != "allow":
            return Response.redirect(redirect_uri, {"error": "access_denied", **back})
        if request.method == "POST":
            chosen = [org_id for org_id in form.get("org_id", []) if org_id in state.orgs]
            if not chosen:
                return Response.html(200, ui.consent_page(params=params, orgs=orgs, message="Choose an organisation."))
        else:
            wanted = None if config.approve_org_ids is None else {o.lower() for o in config.approve_org_ids}
            chosen = [org.org_id for org in orgs if wanted is None or org.org_id in wanted]
        code = AuthCode(
            code=secrets.token_urlsafe(24),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=params.get("scope", ""),
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method")
            or ("plain" if params.get("code_challenge") else None),
            org_ids=chosen,
            expires_at=state.now() + config.code_ttl,
            nonce=params.get("nonce"),
        )
        state.codes[code.code] = code
    return Response.redirect(redirect_uri, {"code": code.code, **back, "scope": code.scope})


# --- token -------------------------------------------------------------------------------------


def _client_credentials(request: Request, form: dict[str, list[str]]) -> tuple[str | None, str | None]:
    auth = request.header("authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode()
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return None, None
    return form.get("client_id", [None])[-1], form.get("client_secret", [None])[-1]


def _pkce_ok(code: AuthCode, verifier: str | None) -> bool:
    if not code.code_challenge:
        return True
    if not verifier:
        return False
    if code.code_challenge_method == "S256":
        computed = _b64(hashlib.sha256(verifier.encode("ascii", errors="replace")).digest())
        return hmac.compare_digest(computed, code.code_challenge)
    return hmac.compare_digest(verifier, code.code_challenge)


def token(state: SandboxState, request: Request) -> Response:
    form = request.form()
    grant_type = form.get("grant_type", [""])[-1]
    state.count("token", grant_type or "(none)")
    client_id, client_secret = _client_credentials(request, form)
    with state.lock:
        config = state.config
        wrong_secret = bool(config.client_secret) and client_secret != config.client_secret
        if config.client_id and (client_id != config.client_id or wrong_secret):
            return Response.raw_json(400, '{"error":"invalid_client"}')
        if grant_type == "authorization_code":
            return _token_from_code(state, form, client_id)
        if grant_type == "refresh_token":
            return _token_from_refresh(state, form, client_id)
        return Response.raw_json(400, '{"error":"unsupported_grant_type"}')


def _token_from_code(state: SandboxState, form: dict[str, list[str]], client_id: str | None) -> Response:
    code = state.codes.get(form.get("code", [""])[-1])
    if code is None or code.used or code.expires_at <= state.now():
        return Response.raw_json(400, INVALID_GRANT)
    code.used = True  # single use, even when the rest of the exchange fails
    if client_id and client_id != code.client_id:
        return Response.raw_json(400, INVALID_GRANT)
    if form.get("redirect_uri", [""])[-1] != code.redirect_uri:
        return Response.raw_json(400, INVALID_GRANT)
    if not _pkce_ok(code, form.get("code_verifier", [None])[-1]):
        return Response.raw_json(400, INVALID_GRANT)
    grant = grant_create(state, client_id=code.client_id, scope=code.scope, org_ids=code.org_ids)
    return Response.json(200, issue_tokens(state, grant, nonce=code.nonce))


def _token_from_refresh(state: SandboxState, form: dict[str, list[str]], client_id: str | None) -> Response:
    now = state.now()
    record = state.refresh_tokens.get(form.get("refresh_token", [""])[-1])
    grant = state.grants.get(record.grant_id) if record else None
    if record is None or grant is None or grant.revoked:
        return Response.raw_json(400, INVALID_GRANT)
    if client_id and client_id != grant.client_id:
        return Response.raw_json(400, INVALID_GRANT)
    if record.spent_at is not None and now - record.spent_at > state.config.refresh_grace_seconds:
        return Response.raw_json(400, INVALID_GRANT)
    if record.spent_at is None and now - record.issued_at > state.config.refresh_token_ttl:
        return Response.raw_json(400, INVALID_GRANT)
    if record.spent_at is None:
        record.spent_at = now
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/token-types/#refresh-token
    return Response.json(200, issue_tokens(state, grant))


def revocation(state: SandboxState, request: Request) -> Response:
    form = request.form()
    state.count("token", "revocation")
    with state.lock:
        record = state.refresh_tokens.get(form.get("token", [""])[-1])
        if record and record.grant_id in state.grants:
            state.grants[record.grant_id].revoked = True
    return Response.empty(200)


# --- bearer tokens and connections -------------------------------------------------------------


def bearer_grant(state: SandboxState, request: Request) -> tuple[Grant | None, str]:
    """The live grant behind ``Authorization: Bearer`` and, when there is none, Xero's reason."""
    auth = request.header("authorization") or ""
    if not auth.lower().startswith("bearer "):
        return None, "AuthenticationUnsuccessful"
    with state.lock:
        record = state.access_tokens.get(auth[7:].strip())
        if record is None:
            return None, "AuthenticationUnsuccessful"
        if record.expires_at <= state.now():
            return None, f"TokenExpired: token expired at {utc_string(record.expires_at)}"
        grant = state.grants.get(record.grant_id)
        if grant is None or grant.revoked:
            return None, "AuthenticationUnsuccessful"
        return grant, ""


def unauthorized(detail: str = "AuthenticationUnsuccessful") -> Response:
    """Xero's 401: clients look for ``TokenExpired`` in Detail to decide to refresh."""
    header = 'Bearer error="invalid_token"'
    if detail.startswith("TokenExpired"):
        header += ', error_description="The token expired"'
    return Response.json(401, problem(401, "Unauthorized", detail), {"WWW-Authenticate": header})


def connections(state: SandboxState, request: Request) -> Response:
    grant, detail = bearer_grant(state, request)
    if grant is None:
        return unauthorized(detail)
    with state.lock:
        if request.method == "DELETE":
            connection_id = request.path_params.get("id", "")
            if connection_id not in grant.connections:
                return Response.json(404, problem(404, "Not Found", f"Connection {connection_id} not found"))
            del grant.connections[connection_id]
            return Response.empty(204)
        auth_event = request.q("authEventId")
        body = []
        for connection_id, connection in grant.connections.items():
            if auth_event and auth_event != grant.auth_event_id:
                continue
            org = state.orgs[connection["org_id"]]
            body.append(
                {
                    "id": connection_id,
                    "authEventId": grant.auth_event_id,
                    "tenantId": org.org_id,
                    "tenantType": "ORGANISATION",
                    "tenantName": org.name,
                    "createdDateUtc": iso_datetime(connection["created"]),
                    "updatedDateUtc": iso_datetime(connection["created"]),
                }
            )
    return Response.json(200, body)
