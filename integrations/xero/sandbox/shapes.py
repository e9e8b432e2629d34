"""Xero's wire shapes: MS JSON dates, money rounding, response envelopes and error bodies.

Kept in one place so every endpoint answers exactly the way the xero-python SDK deserialises
(``date[ms-format]`` fields want ``/Date(ms+0000)/``; identity dates want ISO strings).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

PROVIDER_NAME = "FreightTracker Xero Sandbox"
EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
_MS_DATE_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and bool(_UUID_RE.match(value))


def ms_datetime(ts: float) -> str:
    """A UTC instant as Xero's ``/Date(ms+0000)/``."""
    return f"/Date({int(ts * 1000)}+0000)/"


def ms_date(day: dt.date) -> str:
    """A calendar date as Xero sends it: midnight UTC in ``/Date(ms+0000)/``."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return f"/Date({int(midnight.timestamp() * 1000)}+0000)/"


def ms_timestamp(value: str) -> float:
    """Seconds since the epoch of a ``/Date(ms+0000)/`` instant (0.0 when it is not one)."""
    match = _MS_DATE_RE.match(value.strip())
    return int(match.group(1)) / 1000 if match else 0.0


def modified_since(header: str | None) -> float | str | None:
    """The ``If-Modified-Since`` instant in epoch seconds; None when absent, "invalid" when unreadable.

    The spec says ``date-time`` (the SDK sends ``datetime.isoformat()``), Xero's docs show a bare UTC
    ``2009-11-12T00:00:00``, and HTTP clients send an RFC 1123 date: accept all three, naive = UTC.
    """
    if header is None or not header.strip():
        return None
    text = header.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return "invalid"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def iso_datetime(ts: float) -> str:
    """ISO form of the identity API (Xero's ``2019-12-07T18:46:19.5165400``), with the ``Z`` the spec's
    ``date-time`` format requires; the SDK parses both."""
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def utc_string(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: object) -> dt.date | None:
    """Accept what clients send for dates: ``/Date(ms)/``, ``YYYY-MM-DD`` or an ISO datetime."""
    if not isinstance(value, str):
        return None
    match = _MS_DATE_RE.match(value.strip())
    if match:
        return dt.datetime.fromtimestamp(int(match.group(1)) / 1000, tz=dt.UTC).date()
    match = _ISO_RE.match(value.strip())
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    return None


def date_string(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00"


def to_decimal(value: object, default: Decimal | None = None) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return default
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value: Decimal, places: int = 2) -> float:
    """Round half-up like Xero and hand back a JSON number."""
    quantum = Decimal(1).scaleb(-places)
    return float(value.quantize(quantum, rounding=ROUND_HALF_UP))


def round_dec(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def envelope(key: str, items: list[dict[str, Any]], now: float, **extra: Any) -> dict[str, Any]:
    """Xero wraps every list: ``{"Id", "Status", "ProviderName", "DateTimeUTC", <Key>: [...]}``."""
    body: dict[str, Any] = {
        "Id": new_id(),
        "Status": "OK",
        "ProviderName": PROVIDER_NAME,
        "DateTimeUTC": f"/Date({int(now * 1000)})/",
    }
    body.update(extra)
    body[key] = items
    return body


def validation_exception(elements: list[dict[str, Any]]) -> dict[str, Any]:
    """The 400 body Xero sends when ``summarizeErrors`` is on and an element fails."""
    return {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }


def api_exception(number: int, type_: str, message: str) -> dict[str, Any]:
    return {"ErrorNumber": number, "Type": type_, "Message": message}


def problem(status: int, title: str, detail: str, instance: str | None = None) -> dict[str, Any]:
    """Xero's 401/403 body (RFC 7807 style, as the accounting API answers)."""
    return {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": instance or new_id(),
        "Extensions": {},
    }


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), default=str).encode()
