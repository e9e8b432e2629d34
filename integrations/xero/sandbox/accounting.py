"""Routing of ``/api.xro/2.0/*`` once the caller is authenticated and the organisation chosen."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from . import batch
from .contacts import contacts_get, contacts_write
from .invoices import invoices_get, invoices_write
from .shapes import envelope
from .state import OrgState, SandboxState
from .wire import Request, Response

Handler = Callable[[SandboxState, OrgState, Request], Response]


def _settings_list(key: str, attr: str) -> Handler:
    def handler(state: SandboxState, org: OrgState, request: Request) -> Response:
        with state.lock:
            records: list[dict[str, Any]] = copy.deepcopy(getattr(org, attr))
        result = batch.filtered(records, request)
        if isinstance(result, Response):
            return result
        return Response.json(200, envelope(key, result, state.now()))

    return handler


def _organisation(state: SandboxState, org: OrgState, request: Request) -> Response:
    return Response.json(200, envelope("Organisations", [copy.deepcopy(org.organisation)], state.now()))


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    ("GET", re.compile(r"^/organisation$"), _organisation),
    ("GET", re.compile(r"^/accounts$"), _settings_list("Accounts", "accounts")),
    ("GET", re.compile(r"^/taxrates$"), _settings_list("TaxRates", "tax_rates")),
    ("GET", re.compile(r"^/trackingcategories$"), _settings_list("TrackingCategories", "tracking")),
    ("GET", re.compile(r"^/brandingthemes$"), _settings_list("BrandingThemes", "themes")),
    ("GET", re.compile(r"^/currencies$"), _settings_list("Currencies", "currencies")),
    ("GET", re.compile(r"^/contacts(?:/(?P<id>[^/]+))?$"), contacts_get),
    ("PUT", re.compile(r"^/contacts$"), contacts_write),
    ("POST", re.compile(r"^/contacts$"), contacts_write),
    ("GET", re.compile(r"^/invoices(?:/(?P<id>[^/]+))?$"), invoices_get),
    ("PUT", re.compile(r"^/invoices$"), invoices_write),
    ("POST", re.compile(r"^/invoices$"), invoices_write),
]


def route(method: str, api_path: str) -> tuple[Handler, dict[str, str]] | str | None:
    """The handler for an API-relative path; "405" when the path exists with another method."""
    lowered = api_path.lower().rstrip("/")
    seen_path = False
    for route_method, pattern, handler in ROUTES:
        match = pattern.match(lowered)
        if not match:
            continue
        seen_path = True
        if route_method == method:
            # Match case-insensitively like Xero, but hand ids over in their original case.
            params = {"id": api_path.rstrip("/").rsplit("/", 1)[-1]} if match.groupdict().get("id") else {}
            return handler, params
    return "405" if seen_path else None
