"""The ``/_sandbox/*`` control API: tests in other processes reset, configure, inject faults and inspect."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import identity
from .contacts import contact_upsert, contact_view
from .invoices import invoice_view
from .limits import FaultRule
from .wire import Request, Response

if TYPE_CHECKING:
    from .app import SandboxApp


def _bad(message: str) -> Response:
    return Response.json(400, {"error": message})


def state_snapshot(app: SandboxApp, org_id: str | None = None) -> dict[str, Any]:
    state = app.state
    with state.lock:
        orgs = []
        for org in state.orgs.values():
            if org_id and org.org_id != org_id.lower():
                continue
            orgs.append(
                {
                    "OrganisationID": org.org_id,
                    "Name": org.name,
                    "ShortCode": org.organisation["ShortCode"],
                    "BaseCurrency": org.currency,
                    "contacts": [contact_view(c) for c in org.contacts.values()],
                    "invoices": [invoice_view(org, inv) for inv in org.invoices.values()],
                }
            )
        grants = [
            {
                "grant_id": g.grant_id,
                "client_id": g.client_id,
                "scope": g.scope,
                "revoked": g.revoked,
                "connections": [{"id": cid, "tenantId": c["org_id"]} for cid, c in g.connections.items()],
            }
            for g in state.grants.values()
        ]
        return {"organisations": orgs, "grants": grants, "now": state.now()}


def _requests(app: SandboxApp, request: Request) -> Response:
    state = app.state
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


def _grant(app: SandboxApp, body: dict[str, Any]) -> Response:
    """Mint tokens without the browser dance (for tests that only need an authorised client)."""
    state = app.state
    with state.lock:
        org_ids = [o.lower() for o in body.get("org_ids") or list(state.orgs)]
        unknown = [o for o in org_ids if o not in state.orgs]
        if unknown:
            return _bad(f"unknown organisations: {', '.join(unknown)}")
        scope = body.get("scope") or "openid profile email offline_access accounting.invoices accounting.contacts"
        grant = identity.grant_create(state, client_id=body.get("client_id") or "sandbox-client-id", scope=scope,
                                      org_ids=org_ids)  # fmt: skip
        token = identity.issue_tokens(state, grant)
        token["connections"] = [{"id": cid, "tenantId": c["org_id"]} for cid, c in grant.connections.items()]
        return Response.json(200, token)


def _contacts(app: SandboxApp, body: dict[str, Any]) -> Response:
    """Put contacts straight into an organisation, as if someone typed them into Xero."""
    state = app.state
    with state.lock:
        org = state.orgs.get(str(body.get("org_id", "")).lower())
        if org is None:
            return _bad("org_id must name a sandbox organisation")
        created = []
        for item in body.get("contacts") or []:
            record, errors = contact_upsert(state, org, item, create_only=True)
            if errors:
                return _bad("; ".join(errors))
            created.append(record)
        return Response.json(200, {"contacts": created})


def handle(app: SandboxApp, request: Request) -> Response:
    state = app.state
    name = request.path.lower().rstrip("/").removeprefix("/_sandbox/")
    method = request.method
    try:
        body = request.json() if request.body else {}
    except ValueError:
        return _bad("the body must be JSON")
    if body is None:
        body = {}
    if name == "reset" and method == "POST":
        state.reset()
        return Response.json(200, {"ok": True})
    if name == "config":
        if method == "POST":
            try:
                state.configure(body)
            except (ValueError, TypeError, re.error) as exc:
                return _bad(str(exc))
        return Response.json(200, state.config.as_dict())
    if name == "clock" and method == "POST":
        with state.lock:
            state.config.clock_offset_seconds += float(body.get("advance_seconds", 0))
        return Response.json(200, {"clock_offset_seconds": state.config.clock_offset_seconds, "now": state.now()})
    if name == "faults":
        if method == "DELETE":
            state.faults.clear()
        elif method == "POST":
            try:
                rules = [FaultRule.from_dict(r) for r in (body if isinstance(body, list) else [body])]
            except (ValueError, TypeError) as exc:
                return _bad(str(exc))
            added = [state.faults.add(rule).as_dict() for rule in rules]
            return Response.json(200, {"faults": added})
        return Response.json(200, {"faults": state.faults.snapshot()})
    if name == "state" and method == "GET":
        return Response.json(200, state_snapshot(app, request.q("org_id")))
    if name == "requests" and method in ("GET", "DELETE"):
        return _requests(app, request)
    if name == "stats" and method in ("GET", "DELETE"):
        if method == "DELETE":
            with state.lock:
                for counter in state.stats.values():
                    counter.clear()
        return Response.json(200, state.stats_snapshot())
    if name == "grant" and method == "POST":
        return _grant(app, body)
    if name == "contacts" and method == "POST":
        return _contacts(app, body)
    return Response.json(404, {"error": f"no control endpoint {method} {request.path}"})
