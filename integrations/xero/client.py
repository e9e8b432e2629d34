"""The one place that builds xero-python clients.

Everything that talks to the Accounting API gets its client here, so base URL, token, timeouts and
retry policy are the same everywhere:

- ``base_url`` is ``settings.XERO_API_URL`` (real Xero or the local sandbox);
- the token comes from :func:`xero_token_get_valid` (locked, rotating refresh) through the SDK's
  token getter on *every* call; the SDK's own refresh is impossible (no client secret or refresh
  token is ever handed to it, and its token saver refuses);
- urllib3's hidden retries are off: by default the SDK's pool retries 413/429/503 up to 3 times,
  sleeping the whole ``Retry-After`` each time, which can hang a worker for hours;
- pass ``**xero_call_kwargs()`` to every API call so it has a (connect, read) timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import urllib3
from django.conf import settings
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException

from integrations.xero.exceptions import XeroReconnectRequired
from integrations.xero.models import XeroConnection
from integrations.xero.oauth import http_timeout
from integrations.xero.tokens import xero_token_get_valid, xero_token_refresh

__all__ = [
    "NO_RETRIES",
    "REQUEST_TIMEOUT",
    "XeroReconnectRequired",
    "xero_accounting_api",
    "xero_api_client",
    "xero_call_kwargs",
    "xero_connection_id_of",
    "xero_read_refreshing",
]

T = TypeVar("T")

#: Seconds; (connect, read) is derived from it in :func:`xero_call_kwargs`.
REQUEST_TIMEOUT: int = settings.XERO_HTTP_TIMEOUT

#: No retry of any kind inside urllib3: our callers decide (and honour Retry-After) themselves.
NO_RETRIES = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0, respect_retry_after_header=False)


def xero_call_kwargs() -> dict[str, Any]:
    """Keyword arguments for every SDK call: ``api.get_invoices(tid, **xero_call_kwargs())``."""
    return {"_request_timeout": http_timeout()}


class _LockedRefreshToken(OAuth2Token):
    """Builds the Authorization header from our token getter on every call and never refreshes.

    The stock OAuth2Token stores the token on itself before reading it back, and xero-python's
    ``Configuration`` is a copy-of-first-instance singleton, so instances can end up shared between
    clients and threads; this subclass keeps no token state at all.
    """

    def create_auth_settings(self, api_client: ApiClient) -> dict[str, str]:
        token = api_client.get_oauth2_token()
        return {"type": "oauth2", "in": "header", "key": "Authorization", "value": f"Bearer {token['access_token']}"}

    def update_token(self, *args: Any, **kwargs: Any) -> None:
        """Keep nothing: the token is fetched per call by the getter."""

    def refresh_access_token(self, api_client: ApiClient) -> bool:
        raise RuntimeError("xero-python must not refresh tokens; integrations.xero.tokens does, under a lock")


def _token_getter_for(connection_id: int) -> Any:
    def getter() -> dict[str, Any]:
        return {"access_token": xero_token_get_valid(connection_id=connection_id), "token_type": "Bearer"}

    return getter


def _token_saver_refuses(token: dict[str, Any]) -> None:
    raise RuntimeError("xero-python tried to save a token it refreshed itself; refresh goes through tokens.py")


def xero_api_client(*, connection: XeroConnection) -> ApiClient:
    """An ApiClient for ``connection``: our token, no SDK refresh, no urllib3 retries."""
    configuration = Configuration()
    # Assign after construction: Configuration(...) returns a copy of the *first* instance ever made.
    configuration.oauth2_token = _LockedRefreshToken(expiration_buffer=0)
    api_client = ApiClient(
        configuration,
        pool_threads=1,
        oauth2_token_getter=_token_getter_for(connection.pk),
        oauth2_token_saver=_token_saver_refuses,
    )
    # xero_python.rest.RESTClientObject builds a urllib3.PoolManager without ``retries``, so
    # urllib3's default Retry(3) with respect_retry_after_header=True applies. Pools are created
    # lazily from connection_pool_kw, so setting it before the first call covers every pool.
    api_client.rest_client.pool_manager.connection_pool_kw["retries"] = NO_RETRIES
    api_client.set_default_header("User-Agent", "freighttracker (+xero-python)")
    # Which connection's token to refresh when Xero answers 401 (see xero_connection_id_of).
    api_client.freight_connection_id = connection.pk
    return api_client


def xero_connection_id_of(fn: Any) -> int | None:
    """The XeroConnection behind a bound SDK method (``api.get_contacts``), or None for anything else."""
    api_client = getattr(getattr(fn, "__self__", None), "api_client", None)
    value = getattr(api_client, "freight_connection_id", None)
    return int(value) if value is not None else None


def xero_accounting_api(*, connection: XeroConnection) -> AccountingApi:
    """AccountingApi for ``connection`` at ``settings.XERO_API_URL``; tenant id is ``connection.xero_tenant_id``."""
    return AccountingApi(xero_api_client(connection=connection), base_url=settings.XERO_API_URL)


def xero_read_refreshing(*, connection_id: int, call: Callable[[], T]) -> T:
    """``call()``; when Xero answers 401 (token revoked or clock skew), refresh the token once and
    call again. For reads outside the export engine (which does the same under its limiter)."""
    try:
        return call()
    except HTTPStatusException as exc:
        if int(exc.status or 0) != 401:
            raise
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/troubleshooting (401 → refresh)
    xero_token_refresh(connection_id=connection_id, force=True)
    return call()
