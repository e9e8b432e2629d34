"""Check logged sandbox exchanges against OUR JSON-schema description of MYOB's contracts.

MYOB publishes no OpenAPI document for the Business API v2, so ``contracts/myob_v2_contracts.schema.json``
is FreightTracker's own description, written from MYOB's documented contracts (sources in its
``$comment``). A test drives the product's client against the sandbox, then checks every logged request
and response here: the sandbox and the client are both held to the same written contract.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

CONTRACTS = Path(__file__).resolve().parent / "contracts" / "myob_v2_contracts.schema.json"
_BID = r"/accountright/[0-9a-fA-F-]{36}"
_UID = r"/[0-9a-fA-F-]{36}"
# (method, path pattern, request body definition, success response definition)
ROUTES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("POST", r"/oauth2/v1/authorize", "TokenRequest", "TokenResponse"),
    ("GET", _BID + r"/Contact/Customer", None, "CustomerPage"),
    ("GET", _BID + r"/Contact/Customer" + _UID, None, "Customer"),
    ("POST", _BID + r"/Contact/Customer", "CustomerCreate", "Customer"),
    ("GET", _BID + r"/Sale/Invoice(/Service)?", None, "InvoicePage"),
    ("GET", _BID + r"/Sale/Invoice(/Service)?" + _UID, None, "Invoice"),
    ("POST", _BID + r"/Sale/Invoice/Service", "ServiceInvoiceCreate", "Invoice"),
    ("GET", _BID + r"/GeneralLedger/Account", None, "AccountPage"),
    ("GET", _BID + r"/GeneralLedger/TaxCode", None, "TaxCodePage"),
)


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return dict(json.loads(CONTRACTS.read_text(encoding="utf-8")))


@lru_cache(maxsize=32)
def validator(definition: str) -> Draft202012Validator:
    document = _document()
    registry: Registry[Any] = Registry().with_resource(document["$id"], Resource.from_contents(document))
    return Draft202012Validator(
        {"$ref": f"{document['$id']}#/$defs/{definition}"}, registry=registry, format_checker=FormatChecker()
    )


def errors_of(definition: str, value: Any) -> list[str]:
    """Schema errors of ``value`` against one definition (empty = valid)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:300]}"
        for e in validator(definition).iter_errors(value)
    ]


def _route(method: str, path: str) -> tuple[str | None, str | None] | None:
    for route_method, pattern, request_def, response_def in ROUTES:
        if route_method == method and re.fullmatch(pattern, path.rstrip("/"), flags=re.IGNORECASE):
            return request_def, response_def
    return None


def exchange_errors(entry: dict[str, Any]) -> dict[str, list[str]]:
    """``{"request": [...], "response": [...]}`` for one request-log entry; an unknown route is an error.

    A request MYOB refused (4xx) is not held to the request schema (tests send bad ones on purpose),
    but every error answer must have MYOB's error shape.
    """
    result: dict[str, list[str]] = {"request": [], "response": []}
    routed = _route(entry["method"], entry["path"])
    if routed is None:
        result["request"] = [f"no contract for {entry['method']} {entry['path']}"]
        return result
    request_def, response_def = routed
    status = entry["status"] if entry["status"] is not None else entry.get("committed_status")
    is_api = entry["path"].lower().startswith("/accountright/")
    if status is not None and status < 400:
        if is_api:
            result["request"] += errors_of("ApiRequestHeaders", entry["headers"])
        if request_def:
            result["request"] += errors_of(request_def, entry["body"])
    response = entry.get("response")
    if status is None or (status < 400 and response is None):
        return result  # no answer was sent, or 201 without returnBody
    if status >= 400:
        result["response"] = errors_of("OAuthError" if not is_api else "Error", response)
    elif response_def:
        result["response"] = errors_of(response_def, response)
    return result
