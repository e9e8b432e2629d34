"""Fernet encryption of secrets at rest, with key rotation."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from integrations.xero.crypto import InvalidToken, secret_decrypt, secret_encrypt


def test_round_trip_and_ciphertext_differs_from_the_secret() -> None:
    token = secret_encrypt("my-access-token")

    assert "my-access-token" not in token
    assert secret_decrypt(token) == "my-access-token"


def test_old_key_still_decrypts_after_a_new_key_is_put_first(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old]
    token = secret_encrypt("secret")

    settings.FERNET_KEYS = [new, old]

    assert secret_decrypt(token) == "secret"
    assert Fernet(new.encode()).decrypt(secret_encrypt("again").encode()) == b"again"  # new key encrypts


def test_a_token_from_an_unknown_key_is_refused(settings) -> None:
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    token = secret_encrypt("secret")
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(InvalidToken):
        secret_decrypt(token)


def test_the_module_prints_a_new_valid_key() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "integrations.xero.crypto"], capture_output=True, text=True, check=True
    ).stdout.strip()

    Fernet(out.encode())  # raises if not a valid key
