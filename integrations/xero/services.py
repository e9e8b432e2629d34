"""Writes of the Xero integration: connect (OAuth code flow), choose an organisation, disconnect,
settings with their audit trail, and the organisation choices cache.

Token functions live in tokens.py and are re-exported here. HTTP to Xero always happens outside a
database transaction; only the short writes after it are atomic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from integrations.xero.crypto import secret_decrypt, secret_encrypt
from integrations.xero.exceptions import XeroReconnectRequired, XeroStateInvalid, XeroTokenError
from integrations.xero.models import (
    ConnectionStatus,
    XeroConnection,
    XeroOrgCache,
    XeroPendingAuthorisation,
)
from integrations.xero.oauth import (
    TokenSet,
    authorization_request_build,
    connection_delete,
    connections_list,
    token_exchange_code,
    token_revoke,
)
from integrations.xero.selectors import xero_pending_choice_get
from integrations.xero.settings_services import (
    xero_connection_change_record,
    xero_org_cache_refresh,
    xero_settings_get,
    xero_settings_update,
)
from integrations.xero.tokens import xero_connection_tokens_store, xero_token_get_valid, xero_token_refresh
from tenancy.models import Tenant, User

__all__ = [
    "PENDING_TTL",
    "AuthorisationOutcome",
    "xero_authorisation_choose",
    "xero_authorisation_complete",
    "xero_authorisation_start",
    "xero_connection_disconnect",
    "xero_connection_tokens_store",
    "xero_org_cache_refresh",
    "xero_settings_get",
    "xero_settings_update",
    "xero_token_get_valid",
    "xero_token_refresh",
]

logger = logging.getLogger(__name__)

#: How long a Connect attempt (state + verifier) and an organisation choice stay valid.
PENDING_TTL = dt.timedelta(minutes=10)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def xero_authorisation_start(*, tenant: Tenant, user: User, session_key: str) -> str:
    """Record a fresh state + PKCE verifier bound to tenant, user and session; return the authorize URL."""
    XeroPendingAuthorisation.objects.filter(created_at__lt=timezone.now() - 2 * PENDING_TTL).delete()
    request = authorization_request_build()
    XeroPendingAuthorisation.objects.create(
        tenant=tenant,
        user=user,
        state_hash=_digest(request.state),
        session_key_hash=_digest(session_key),
        code_verifier_encrypted=secret_encrypt(request.code_verifier),
    )
    return request.url


def _pending_claim(*, tenant: Tenant, user: User, session_key: str, state: str) -> XeroPendingAuthorisation:
    """Consume the state exactly once (atomic UPDATE … WHERE used_at IS NULL); else XeroStateInvalid."""
    if not state or not session_key:
        raise XeroStateInvalid("missing state")
    now = timezone.now()
    lookup = {
        "state_hash": _digest(state),
        "tenant": tenant,
        "user": user,
        "session_key_hash": _digest(session_key),
    }
    claimed = XeroPendingAuthorisation.objects.filter(
        **lookup, used_at__isnull=True, created_at__gt=now - PENDING_TTL
    ).update(used_at=now)
    if claimed != 1:
        raise XeroStateInvalid("unknown, expired or reused state")
    return XeroPendingAuthorisation.objects.get(**lookup)


@dataclass
class AuthorisationOutcome:
    kind: Literal["connected", "choose", "denied", "failed"]
    message: str
    pending_id: int | None = None
    connection: XeroConnection | None = None
    organisations: list[dict[str, Any]] = field(default_factory=list)


def xero_authorisation_complete(
    *,
    tenant: Tenant,
    user: User,
    session_key: str,
    state: str,
    code: str = "",
    error: str = "",
    error_description: str = "",
) -> AuthorisationOutcome:
    """Handle Xero's redirect back. Raises XeroStateInvalid (→ 403) before anything else happens."""
    pending = _pending_claim(tenant=tenant, user=user, session_key=session_key, state=state)
    if error or not code:
        pending.delete()
        if error == "access_denied":
            return AuthorisationOutcome("denied", "You cancelled the connection in Xero. Nothing was saved.")
        detail = error_description or error or "no authorisation code"
        return AuthorisationOutcome("failed", f"Xero did not authorise the connection ({detail}). Nothing was saved.")
    try:
        tokens = token_exchange_code(code=code, code_verifier=secret_decrypt(pending.code_verifier_encrypted))
        organisations = connections_list(access_token=tokens.access_token)
    except XeroTokenError as exc:
        pending.delete()
        logger.warning("Xero code exchange for tenant %s failed: %s", tenant.pk, exc.error)
        hint = " The authorisation code may have expired." if exc.error == "invalid_grant" else ""
        return AuthorisationOutcome(
            "failed",
            f"Xero did not accept the authorisation ({exc.error}).{hint} Nothing was saved — please connect again.",
        )
    if not organisations:
        pending.delete()
        return AuthorisationOutcome("failed", "No Xero organisation was authorised. Nothing was saved.")
    if len(organisations) == 1:
        connection = _connection_save(tenant=tenant, user=user, tokens=tokens, organisation=organisations[0])
        pending.delete()
        message = f"{_connected_message(connection)} {xero_choices_read_after_connect(tenant=tenant)}"
        return AuthorisationOutcome("connected", message, connection=connection)
    choices = [
        {"id": str(o.get("id", "")), "tenantId": str(o["tenantId"]), "tenantName": str(o.get("tenantName") or "")}
        for o in organisations
        if o.get("tenantId")
    ]
    pending.tokens_encrypted = secret_encrypt(json.dumps(_tokens_to_json(tokens)))
    pending.organisations = choices
    pending.save(update_fields=["tokens_encrypted", "organisations"])
    return AuthorisationOutcome("choose", "Choose the Xero organisation.", pending_id=pending.pk, organisations=choices)


def xero_authorisation_choose(
    *, tenant: Tenant, user: User, session_key: str, pending_id: int, xero_tenant_id: str
) -> XeroConnection:
    """Save the connection to the organisation the admin picked. ValueError if it was not offered."""
    with transaction.atomic():
        pending = XeroPendingAuthorisation.objects.select_for_update().get(
            pk=xero_pending_choice_get(tenant=tenant, user=user, session_key=session_key, pending_id=pending_id).pk
        )
        organisation = next((o for o in pending.organisations if o["tenantId"] == xero_tenant_id), None)
        if organisation is None:
            raise ValueError("That organisation was not among those authorised in Xero.")
        tokens = _tokens_from_json(json.loads(secret_decrypt(pending.tokens_encrypted)))
        connection = _connection_save(tenant=tenant, user=user, tokens=tokens, organisation=organisation)
        pending.delete()
    xero_choices_read_after_connect(tenant=tenant)  # after the commit: HTTP never inside a transaction
    return connection


def xero_choices_read_after_connect(*, tenant: Tenant) -> str:
    """Read accounts, tax rates, currencies, … of the organisation just connected; say how it went.

    Without this the settings page would call every saved mapping "not in Xero's list" until
    someone clicked Refresh. A failure here must not undo the connection: the admin can retry.
    """
    try:
        xero_org_cache_refresh(tenant=tenant)
    except Exception as exc:  # the SDK's ApiException family, urllib3 errors, XeroError
        logger.warning("Reading Xero choices after connecting tenant %s failed: %s", tenant.pk, exc)
        return "Its accounts and tax rates could not be read yet: use “Refresh choices from Xero”."
    return "Its accounts, tax rates and currencies were read."


def _connected_message(connection: XeroConnection) -> str:
    return f"Connected to the Xero organisation “{connection.organisation_name}”."


def _tokens_to_json(tokens: TokenSet) -> dict[str, str]:
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at.isoformat(),
        "scope": tokens.scope,
    }


def _tokens_from_json(data: dict[str, str]) -> TokenSet:
    return TokenSet(
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        expires_at=dt.datetime.fromisoformat(data["expires_at"]),
        scope=data["scope"],
    )


def _connection_save(*, tenant: Tenant, user: User, tokens: TokenSet, organisation: dict[str, Any]) -> XeroConnection:
    """Create or replace the tenant's connection (a reconnect replaces tokens and clears needs_reconnect)."""
    with transaction.atomic():
        before = XeroConnection.objects.filter(tenant=tenant).values_list("organisation_name", flat=True).first()
        connection, _ = XeroConnection.objects.select_for_update().update_or_create(
            tenant=tenant,
            defaults={
                "xero_tenant_id": str(organisation["tenantId"]),
                "xero_connection_id": str(organisation.get("id") or ""),
                "organisation_name": str(organisation.get("tenantName") or "")[:255],
                "connected_by": user,
                "connected_at": timezone.now(),
                "scopes": tokens.scope,
                "access_token_encrypted": secret_encrypt(tokens.access_token),
                "refresh_token_encrypted": secret_encrypt(tokens.refresh_token),
                "access_token_expires_at": tokens.expires_at,
                "last_refreshed_at": None,
                "status": ConnectionStatus.ACTIVE,
                "status_detail": "",
            },
        )
        # Choices of a previous organisation must not be offered for the new one.
        XeroOrgCache.objects.filter(tenant=tenant).delete()
        xero_connection_change_record(
            tenant=tenant, user=user, old=before or "", new=f"Connected to {connection.organisation_name}"
        )
    logger.info("Tenant %s connected to Xero organisation %s", tenant.pk, connection.xero_tenant_id)
    return connection


def xero_connection_disconnect(*, tenant: Tenant, user: User) -> bool:
    """Disconnect at Xero (DELETE /connections/{id}, revoke the refresh token) and forget locally.

    Returns False when Xero could not be told (unreachable, or the grant is already dead); the local
    connection is forgotten anyway so the admin is never stuck.
    """
    connection = XeroConnection.objects.filter(tenant=tenant).first()
    if connection is None:
        return True
    told_xero = True
    if connection.status == ConnectionStatus.ACTIVE and connection.xero_connection_id:
        try:
            access_token = xero_token_get_valid(connection_id=connection.pk)
            connection_delete(access_token=access_token, connection_id=connection.xero_connection_id)
        except (XeroTokenError, XeroReconnectRequired) as exc:
            logger.warning("Xero DELETE connection for tenant %s failed: %s", tenant.pk, exc)
            told_xero = False
        connection.refresh_from_db()  # a refresh above may have rotated the refresh token
    try:
        token_revoke(refresh_token=secret_decrypt(connection.refresh_token_encrypted))
    except XeroTokenError as exc:
        logger.warning("Xero token revocation for tenant %s failed: %s", tenant.pk, exc)
        told_xero = False
    with transaction.atomic():
        XeroConnection.objects.filter(pk=connection.pk).delete()
        XeroOrgCache.objects.filter(tenant=tenant).delete()
        xero_connection_change_record(
            tenant=tenant,
            user=user,
            old=connection.organisation_name,
            new="Disconnected" if told_xero else "Disconnected here (Xero could not be told)",
        )
    logger.info("Tenant %s disconnected from Xero by user %s (Xero told: %s)", tenant.pk, user.pk, told_xero)
    return told_xero
