"""The redacting log filter: a credential that slips into a log line is replaced before output."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.conf import settings

from freighttracker.logging import REDACTED, SecretRedactingFilter, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQtaGVyZQ"
FERNET = "gAAAAABnQ0xpZ0hUVkFzdGhpc2lzYWZlcm5ldHRva2Vu"


@pytest.mark.parametrize(
    "line",
    [
        f"Authorization: Bearer {JWT}",
        "Authorization: Basic c2FuZGJveC1jbGllbnQtaWQ6c2VjcmV0",
        f"token answer {{'access_token': '{JWT}', 'refresh_token': 'o7UnUHqYx2r9'}}",
        "POST body grant_type=refresh_token&refresh_token=o7UnUHqYx2r9&client_secret=hunter2hunter2",
        f"stored {FERNET}",
        '{"code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}',
    ],
)
def test_credentials_are_redacted(line: str) -> None:
    cleaned = redact(line)

    assert REDACTED in cleaned
    for secret in (JWT, "o7UnUHqYx2r9", "hunter2hunter2", FERNET, "c2FuZGJveC1jbGllbnQtaWQ6c2VjcmV0", "dBjftJeZ4CVP"):
        assert secret not in cleaned


def test_the_configured_client_secret_is_redacted_wherever_it_appears(settings: Any) -> None:
    settings.XERO_CLIENT_SECRET = "a-very-private-client-secret"
    assert redact("oops a-very-private-client-secret here") == f"oops {REDACTED} here"


def test_ordinary_lines_are_left_alone() -> None:
    line = "Exported 50 invoices for tenant 3 in 1.2 s (INV-000123, PO-7001); 429 Retry-After 30"
    assert redact(line) == line


def test_the_console_handler_of_the_settings_redacts_message_args_and_tracebacks() -> None:
    config: Any = settings.LOGGING
    assert config["handlers"]["console"]["filters"] == ["redact_secrets"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactingFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("token %s", JWT)
        try:
            raise ValueError(f"refresh_token=o7UnUHqYx2r9 rejected, Bearer {JWT}")
        except ValueError:
            logger.exception("call failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert JWT not in out and "o7UnUHqYx2r9" not in out
    assert out.count(REDACTED) >= 3
