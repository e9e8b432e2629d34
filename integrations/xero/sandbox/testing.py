"""Helpers for tests that talk to the sandbox through the real xero-python SDK."""

from __future__ import annotations

from typing import Any

import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

NO_RETRIES = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0, respect_retry_after_header=False)


class SdkClients:
    """An SDK ``ApiClient`` bound to one token dict (mutable, so tests can swap tokens)."""

    def __init__(self, base_url: str, token: dict[str, Any], *, client_id: str = "sandbox-client-id",
                 client_secret: str = "sandbox-client-secret") -> None:  # fmt: skip  # noqa: S107 - sandbox only
        self.base_url = base_url.rstrip("/")
        self.token = {k: v for k, v in token.items() if k != "connections"}
        configuration = Configuration()
        # Configuration() hands back a copy of the first instance ever made and ignores its arguments.
        configuration.oauth2_token = OAuth2Token(client_id=client_id, client_secret=client_secret)
        self.api_client = ApiClient(
            configuration,
            oauth2_token_getter=lambda: self.token,
            oauth2_token_saver=self._save,
        )
        # The SDK's urllib3 pool would otherwise retry 429/503 and resets on its own.
        self.api_client.rest_client.pool_manager.connection_pool_kw["retries"] = NO_RETRIES
        self.accounting = AccountingApi(self.api_client, base_url=f"{self.base_url}/api.xro/2.0")
        self.identity = IdentityApi(self.api_client, base_url=self.base_url)
        self.tokens = TokenApi(self.api_client, client_id, client_secret)
        self.tokens.refresh_token_url = f"{self.base_url}/connect/token"
        self.tokens.revoke_token_url = f"{self.base_url}/connect/revocation"

    def _save(self, token: dict[str, Any]) -> None:
        self.token = token


def sdk_clients(base_url: str, token: dict[str, Any]) -> SdkClients:
    return SdkClients(base_url, token)
