"""MYOB's error body: ``{"Errors": [{Name, Message, AdditionalDetails, ErrorCode, Severity, LearnMore}]}``.

Source: developer.myob.com/api/myob-business-api/api-overview/error-messages (sample bodies) and
.../error-codes/; error codes as copied by guide.pestregister.com (third party).
"""

from __future__ import annotations

from typing import Any

from sandboxes.wire import Response

LEARN_MORE = "https://developer.myob.com/api/myob-business-api/api-overview/error-messages/"

# Name -> ErrorCode, where a source gives one; others get 0 (unknown to us).
_CODES = {
    "SerializationError": 50,
    "Required": 100,
    "NotFound": 150,
    "ValueTooLong": 200,  # our choice: no source gives a code for a too-long value
    "RateLimitError": 0,
    "GatewayTimeout": 0,
}


def error(name: str, message: str, additional: str = "", *, code: int | None = None) -> dict[str, Any]:
    return {
        "Name": name,
        "Message": message,
        "AdditionalDetails": additional,
        "ErrorCode": _CODES.get(name, 0) if code is None else code,
        "Severity": "Error",
        "LearnMore": LEARN_MORE,
    }


def errors_response(status: int, *items: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response.json(status, {"Errors": list(items)}, headers)


def one(
    status: int, name: str, message: str, additional: str = "", *, headers: dict[str, str] | None = None
) -> Response:
    return errors_response(status, error(name, message, additional), headers=headers)


def rate_limited(*, status: int = 403, per: str = "per-second") -> Response:
    """MYOB answers 403 (some sources say 429) with Name RateLimitError; nothing is processed."""
    headers = {"Retry-After": "1"} if status == 429 else None
    return one(
        status, "RateLimitError", f"API key has exceeded the {per} rate limit", "Header: x-myobapi-key", headers=headers
    )
