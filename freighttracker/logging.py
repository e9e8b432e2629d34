"""A last line of defence for logs: redact anything that looks like a credential before it is written.

The product never formats tokens or secrets into log messages (tests/security/test_log_secrets.py
proves it); this filter, attached to the log handlers in settings, catches what a future change or a
third-party library might let through: bearer tokens, JWTs, Fernet ciphertexts, ``*_token=`` /
``client_secret=`` pairs, the OAuth ``code`` and ``state`` query parameters and the configured client
secret itself, in the message and the traceback. ``freighttracker/gunicorn_logging.py`` applies the
same rules to gunicorn's access log.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"(?i)(\bbasic\s+)[A-Za-z0-9+/]{8,}=*"),
    re.compile(r"()\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),  # a JWT (Xero access tokens)
    re.compile(r"()\bgAAAAA[A-Za-z0-9_-]{20,}=*"),  # a Fernet ciphertext
    re.compile(
        r"(?i)(\b(?:access_token|refresh_token|id_token|client_secret|code_verifier|password)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,;}]+"
    ),
    # The OAuth callback's one-time ``code`` and its ``state`` in a URL (access logs, Referer).
    re.compile(r"(?i)([?&](?:code|state)=)[^&\s\"'#]+"),
)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    secret = str(getattr(settings, "XERO_CLIENT_SECRET", "") or "")
    if len(secret) >= 8:
        text = text.replace(secret, REDACTED)
    return text


class SecretRedactingFilter(logging.Filter):
    """Rewrites the record's message (and traceback text) with credentials replaced by ``[redacted]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the handler's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
