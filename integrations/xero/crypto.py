"""Encryption at rest for Xero tokens and the PKCE verifier.

Fernet keys come from ``settings.FERNET_KEYS`` (env ``FERNET_KEYS``, comma-separated): the first key
encrypts, every key decrypts, so a key can be rotated by putting the new one first. Run
``python -m integrations.xero.crypto`` to print a fresh key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "secret_decrypt", "secret_encrypt"]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FERNET_KEYS is empty: set it (python -m integrations.xero.crypto prints a key)")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FERNET_KEYS holds an invalid Fernet key: {exc}") from exc


def _multi() -> MultiFernet:
    # Keyed on the current setting so tests overriding FERNET_KEYS get a matching instance.
    return _fernet(tuple(settings.FERNET_KEYS))


def secret_encrypt(value: str) -> str:
    """Encrypt ``value`` with the first key; the result is URL-safe text for a TextField."""
    return _multi().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str:
    """Decrypt text made by :func:`secret_encrypt` with any configured key (raises ``InvalidToken``)."""
    return _multi().decrypt(token.encode()).decode()


if __name__ == "__main__":
    print(Fernet.generate_key().decode())
