"""Access tokens of a Xero connection: read, refresh (serialised per connection), give up on invalid_grant.

Xero rotates refresh tokens on every refresh, and two workers spending the same one at once is the
classic way to lose a connection. So a refresh happens only while holding ``SELECT … FOR UPDATE`` on
the connection row, re-reads the row after the lock is granted (another worker may have refreshed
already — then its token is used, with no second call), and stores the new pair before the lock is
released. Call these functions outside any open transaction so the lock is short and the new pair is
committed at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.xero.crypto import secret_decrypt, secret_encrypt
from integrations.xero.exceptions import XeroNotConnected, XeroReconnectRequired, XeroTokenError
from integrations.xero.models import ConnectionStatus, XeroConnection
from integrations.xero.oauth import TokenSet, token_refresh_grant
from tenancy.models import Role, User
from tenancy.timefmt import tenant_time_text

logger = logging.getLogger(__name__)


def token_refresh_margin() -> dt.timedelta:
    """Refresh when the access token expires within this margin (``XERO_TOKEN_REFRESH_MARGIN`` s, default 300)."""
    return dt.timedelta(seconds=int(getattr(settings, "XERO_TOKEN_REFRESH_MARGIN", 300)))


def _expires_soon(connection: XeroConnection) -> bool:
    return connection.access_token_expires_at <= timezone.now() + token_refresh_margin()


def _connection_get(connection_id: int, *, lock: bool = False) -> XeroConnection:
    qs = XeroConnection.objects.all()
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=connection_id)
    except XeroConnection.DoesNotExist as exc:
        raise XeroNotConnected(f"Xero connection {connection_id} does not exist (disconnected?)") from exc


def _usable_or_raise(connection: XeroConnection) -> None:
    if connection.status != ConnectionStatus.ACTIVE:
        raise XeroReconnectRequired(connection.status_detail or "Xero needs reconnecting")


def xero_connection_tokens_store(*, connection: XeroConnection, tokens: TokenSet) -> None:
    """Put a new token pair (encrypted) on ``connection`` and save it. Caller holds the row lock."""
    connection.access_token_encrypted = secret_encrypt(tokens.access_token)
    connection.refresh_token_encrypted = secret_encrypt(tokens.refresh_token)
    connection.access_token_expires_at = tokens.expires_at
    if tokens.scope:
        connection.scopes = tokens.scope
    connection.last_refreshed_at = timezone.now()
    connection.save(
        update_fields=[
            "access_token_encrypted",
            "refresh_token_encrypted",
            "access_token_expires_at",
            "scopes",
            "last_refreshed_at",
        ]
    )


def xero_token_get_valid(*, connection_id: int) -> str:
    """A usable access token for the connection, refreshed first when it expires within the margin.

    Raises :class:`XeroReconnectRequired` when the connection needs reconnecting (now or already),
    :class:`XeroNotConnected` when it is gone, :class:`XeroTokenError` for a transient failure.
    """
    connection = _connection_get(connection_id)
    _usable_or_raise(connection)
    if not _expires_soon(connection):
        return secret_decrypt(connection.access_token_encrypted)
    return xero_token_refresh(connection_id=connection_id)


def xero_token_refresh(*, connection_id: int, force: bool = False) -> str:
    """Refresh under the row lock unless someone else already did; return the access token.

    ``force`` refreshes even when the current token is still fresh (used by tests and a manual
    "refresh now"); it is still serialised, so concurrent forced refreshes never spend one token twice.
    """
    reconnect: XeroConnection | None = None
    with transaction.atomic():
        connection = _connection_get(connection_id, lock=True)
        _usable_or_raise(connection)
        # Re-read after the lock: another worker may have refreshed while we waited.
        if not force and not _expires_soon(connection):
            return secret_decrypt(connection.access_token_encrypted)
        # The one HTTP call made inside a transaction, on purpose: the row lock must be held until
        # the new pair is stored, or a second worker would spend the same refresh token. The call
        # has a timeout (XERO_HTTP_TIMEOUT), so the lock is never held for long.
        try:
            tokens = token_refresh_grant(refresh_token=secret_decrypt(connection.refresh_token_encrypted))
        except XeroTokenError as exc:
            if not exc.is_invalid_grant:
                raise  # transient or unexpected: nothing changes, the caller may retry later
            connection.status = ConnectionStatus.NEEDS_RECONNECT
            connection.status_detail = (
                f"Xero refused the refresh token ({exc}) at "
                f"{tenant_time_text(tenant=connection.tenant, moment=timezone.now())}. "
                "An admin must reconnect."
            )
            connection.save(update_fields=["status", "status_detail"])
            reconnect = connection
        else:
            xero_connection_tokens_store(connection=connection, tokens=tokens)
            logger.info("Refreshed Xero token of connection %s", connection_id)
            return tokens.access_token
    # Only the worker that flipped the status (under the lock) gets here, so admins are emailed once.
    logger.warning("Xero connection %s needs reconnecting: %s", connection_id, reconnect.status_detail)
    _reconnect_email_send(connection=reconnect)
    raise XeroReconnectRequired(reconnect.status_detail)


def _reconnect_email_send(*, connection: XeroConnection) -> None:
    admins = list(
        User.objects.filter(tenant_id=connection.tenant_id, role=Role.ADMIN, is_active=True).values_list(
            "email", flat=True
        )
    )
    if not admins:
        return
    link = f"{settings.SITE_URL}{reverse('xero:settings')}"
    body = (
        f"Xero refused to renew the connection of {connection.tenant} to the organisation "
        f'"{connection.organisation_name}". Exports to Xero are paused until an admin reconnects.\n\n'
        f"Reconnect in Settings → Integration → Authentication → Xero: {link}\n"
    )
    try:
        send_mail("Xero needs reconnecting — exports are paused", body, None, admins)
    except Exception:  # mail trouble must not hide the reconnect state, which is already stored
        logger.exception("Could not email admins of tenant %s about the Xero reconnect", connection.tenant_id)
