"""The ``/_sandbox/*`` control API: tests in any process reset, configure, inject faults and inspect."""

from __future__ import annotations

from typing import Any

from sandboxes.wire import Request, Response

from . import auth, records
from .state import FaultRule, SandboxState


def _bad(message: str) -> Response:
    return Response.json(400, {"error": message})


def state_snapshot(state: SandboxState, base: str) -> dict[str, Any]:
    with state.lock:
        businesses = []
        for b in state.businesses.values():
            root = f"{base}/accountright/{b.business_id}"
            businesses.append(
                {
                    "businessId": b.business_id,
                    "businessName": b.name,
                    "zero_pads_numbers": b.zero_pads_numbers,
                    "customers": [records.customer_view(b, root, c) for c in b.customers.values()],
                    "invoices": [records.invoice_view(b, root, i) for i in b.invoices.values()],
                }
            )
        grants = [vars(g).copy() for g in state.grants.values()]
        return {"businesses": businesses, "grants": grants, "now": state.now()}


def _grant(state: SandboxState, body: dict[str, Any]) -> Response:
    """Mint tokens without the browser consent (for tests that only need an authorised client)."""
    with state.lock:
        business_id = str(body.get("business_id") or next(iter(state.businesses))).lower()
        if business_id not in state.businesses:
            return _bad(f"unknown business {business_id}")
        client_id = str(body.get("client_id") or state.config.client_id or "sandbox-api-key")
        grant = auth.grant_create(
            state,
            client_id=client_id,
            business_id=business_id,
            scope=str(body.get("scope") or "sme-company-file sme-contacts-customer sme-sales"),
        )
        token = auth.issue_tokens(state, grant)
        token["businessId"], token["businessName"] = business_id, state.businesses[business_id].name
        return Response.json(200, token)


def _requests(state: SandboxState, request: Request) -> Response:
    if request.method == "DELETE":
        with state.lock:
            state.request_log.clear()
        return Response.json(200, {"ok": True})
    method, path, since = request.q("method"), (request.q("path") or "").lower(), int(request.q("since") or 0)
    with state.lock:
        entries = [
            e
            for e in state.request_log
            if e["id"] > since
            and (not method or e["method"] == method.upper())
            and (not path or path in e["path"].lower())
        ]
        return Response.json(200, {"requests": entries})


def handle(state: SandboxState, request: Request) -> Response:
    name = request.path.lower().rstrip("/").removeprefix("/_sandbox/")
    method = request.method
    try:
        body = (request.json() if request.body else None) or {}
    except ValueError:
        return _bad("the body must be JSON")
    if name == "reset" and method == "POST":
        state.reset()
        return Response.json(200, {"ok": True})
    if name == "config":
        if method == "POST":
            try:
                state.configure(body)
            except (ValueError, TypeError) as exc:
                return _bad(str(exc))
        return Response.json(200, state.config.as_dict())
    if name == "clock" and method == "POST":
        with state.lock:
            state.config.clock_offset_seconds += float(body.get("advance_seconds", 0))
        return Response.json(200, {"clock_offset_seconds": state.config.clock_offset_seconds})
    if name == "faults":
        if method == "DELETE":
            state.faults.clear()
        elif method == "POST":
            try:
                rules = [FaultRule.from_dict(r) for r in (body if isinstance(body, list) else [body])]
            except (ValueError, TypeError) as exc:
                return _bad(str(exc))
            return Response.json(200, {"faults": [vars(state.faults.add(rule)) for rule in rules]})
        return Response.json(200, {"faults": state.faults.snapshot()})
    if name == "state" and method == "GET":
        return Response.json(200, state_snapshot(state, request.base_url))
    if name == "requests" and method in ("GET", "DELETE"):
        return _requests(state, request)
    if name == "stats" and method in ("GET", "DELETE"):
        if method == "DELETE":
            with state.lock:
                for counter in state.stats.values():
                    counter.clear()
        return Response.json(200, state.stats_snapshot())
    if name == "grant" and method == "POST":
        return _grant(state, body)
    return Response.json(404, {"error": f"no control endpoint {method} {request.path}"})
