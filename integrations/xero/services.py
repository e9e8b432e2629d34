"""Writes of the Xero integration. Token functions live in tokens.py and are re-exported here."""

from __future__ import annotations

from integrations.xero.tokens import xero_connection_tokens_store, xero_token_get_valid, xero_token_refresh

__all__ = ["xero_connection_tokens_store", "xero_token_get_valid", "xero_token_refresh"]
