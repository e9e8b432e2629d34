"""Deterministic MYOB identifiers derived from TMS ones.

- Invoice ``Number`` is String(13) (MYOB Invoice/Service page). The TMS number (up to 30 characters)
  is used as is when it fits; otherwise the first 6 characters, "-" and a 6-character hash of the
  whole number. The same TMS invoice always gets the same Number, so a look-up by Number after an
  uncertain POST finds it; two TMS numbers colliding needs a 30-bit hash collision within one tenant.
- Customer ``DisplayID`` (the card ID) is String(15) (Contact/Customer page): the customer code when it
  fits, else the first 8 characters, "-" and the same kind of 6-character hash.
"""

from __future__ import annotations

import base64
import hashlib
import re

INVOICE_NUMBER_MAX = 13
DISPLAY_ID_MAX = 15
_HASH_LEN = 6
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/._]*$")


def _hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()[:_HASH_LEN]


def _fit(text: str, limit: int, what: str) -> str:
    value = text.strip()
    if not value:
        raise ValueError(f"a blank {what} cannot be sent to MYOB")
    if len(value) <= limit and _PLAIN.match(value):
        return value
    head = re.sub(r"[^A-Za-z0-9]", "", value)[: limit - _HASH_LEN - 1] or "X"
    return f"{head}-{_hash(value)}"


def myob_invoice_number(*, number: str) -> str:
    """The MYOB ``Number`` (≤ 13 characters) for a TMS invoice number."""
    return _fit(number, INVOICE_NUMBER_MAX, "invoice number")


def myob_display_id(*, code: str) -> str:
    """The MYOB customer ``DisplayID`` (≤ 15 characters) for a TMS customer code."""
    return _fit(code, DISPLAY_ID_MAX, "customer code")


def number_matches(*, stored: str, wanted: str) -> bool:
    """True when MYOB's stored Number is ours, allowing for the zero-padding of older AccountRight files.

    # MYOB docs: https://apisupport.myob.com/hc/en-us/articles/360000496815 (older files store 00001234)
    """
    if stored == wanted:
        return True
    return stored.endswith(wanted) and set(stored[: -len(wanted)]) == {"0"}
