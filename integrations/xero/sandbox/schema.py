"""Validate logged sandbox exchanges against Xero's own OpenAPI documents (openapi-core).

The sandbox request log keeps each request and response body, so a test can drive the real SDK
and then check both directions against ``xero_accounting.yaml`` / ``xero-identity.yaml``.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema_path import SchemaPath
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.testing import MockRequest, MockResponse

ACCOUNTING_SPEC = "xero_accounting.yaml"
IDENTITY_SPEC = "xero-identity.yaml"
WEBHOOKS_SPEC = "xero-webhooks.yaml"
XERO_HOST = "https://api.xero.com"
#: Fields the spec marks readOnly but xero-python always serialises from its model defaults.
SDK_DEFAULT_READ_ONLY = frozenset({"HasAttachments"})
#: Xero's OpenAPI documents as vendored in the repository (see ``openapi/SOURCE.txt``).
VENDORED_SPEC_DIR = Path(__file__).resolve().parent / "openapi"


def spec_dir() -> Path:
    """``$XERO_OPENAPI_DIR``, else the copies vendored beside this module (``openapi/``, with their licence).

    A user's clone has nothing beside it, so the documents the tests validate against live in the repo.
    """
    env = os.environ.get("XERO_OPENAPI_DIR")
    return Path(env) if env else VENDORED_SPEC_DIR


@lru_cache(maxsize=4)
def load_openapi(path: str) -> OpenAPI:
    """Parse once per process: the accounting document is ~900 KB."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader (C or pure Python)
    # Xero's document does not pass strict spec validation; we validate traffic, not the document.
    return OpenAPI(SchemaPath.from_dict(document), config=Config(spec_validator_cls=None))


def _errors(exc: Exception) -> list[str]:
    cause = exc.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(exc, "schema_errors", None)
    if not schema_errors:
        return [f"{type(exc).__name__}: {exc}" + (f" ({cause})" if cause else "")]
    out = []
    for error in schema_errors:
        path = list(error.path)
        if error.message.startswith("Tried to write read-only property") and path and path[-1] in SDK_DEFAULT_READ_ONLY:
            continue
        out.append(f"{'/'.join(str(p) for p in path)}: {error.message[:300]}")
    return out


def exchange_errors(openapi: OpenAPI, entry: dict[str, Any], *, path_prefix: str = "") -> dict[str, list[str]]:
    """Schema errors of one logged exchange: ``{"request": [...], "response": [...]}`` (empty = valid)."""
    body = json.dumps(entry["body"]).encode() if isinstance(entry.get("body"), (dict, list)) else None
    headers = dict(entry["headers"])
    request = MockRequest(
        XERO_HOST,
        entry["method"],
        path_prefix + entry["path"],
        args=entry["query"],
        headers=headers,
        data=body,
        content_type=headers.get("content-type", "application/json").split(";")[0],
    )
    result: dict[str, list[str]] = {"request": [], "response": []}
    warnings.filterwarnings("ignore", message="Unsupported scheme type")  # OAuth2 is not checked by openapi-core
    try:
        openapi.validate_request(request)
    except Exception as exc:  # openapi-core raises a family of errors; report them all
        result["request"] = _errors(exc)
    data = entry.get("response")
    response = MockResponse(
        json.dumps(data).encode() if data is not None else b"",
        status_code=entry["status"] if entry["status"] is not None else entry["committed_status"],
        headers=entry.get("response_headers") or {},
        content_type="application/json" if data is not None else "",
    )
    try:
        openapi.validate_response(request, response)
    except Exception as exc:
        result["response"] = _errors(exc)
    result["request"] = [e for e in result["request"] if e]
    result["response"] = [e for e in result["response"] if e]
    return result


@dataclass
class _WebhookRequest:
    """openapi-core's ``WebhookRequest`` protocol: a named webhook instead of a path."""

    name: str
    body: bytes
    method: str = "post"
    content_type: str = "application/json"
    parameters: RequestParameters = field(default_factory=RequestParameters)


def webhook_errors(openapi: OpenAPI, delivery: dict[str, Any], *, name: str = "invoices") -> list[str]:
    """Schema errors of one sandbox webhook delivery (``/_sandbox/webhooks`` log) against ``xero-webhooks.yaml``."""
    request = _WebhookRequest(name=name, body=json.dumps(delivery["body"]).encode())
    try:
        openapi.validate_request(request)
    except Exception as exc:  # openapi-core raises a family of errors; report them all
        return [e for e in _errors(exc) if e]
    return []
