"""The ``/_sandbox/*`` control API: tests in other processes reset, configure, inject faults and inspect."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import identity, webhooks
from .contacts import contact_upsert, contact_view
from .invoices import invoice_view
from .limits import FaultRule
from .payments import payment_apply
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


def _payment(app: SandboxApp, body: dict[str, Any]) -> Response:
    """A person in Xero paying part (``amount``) or all (no amount) of an invoice."""
    invoice, error = payment_apply(
        app.state, org_id=str(body.get("org_id") or ""), invoice_id=str(body.get("invoice_id") or ""),
        amount=body.get("amount"), date=body.get("date"), reference=body.get("reference"),
    )  # fmt: skip
    if invoice is None:
        return _bad(error or "payment refused")
    org = app.state.orgs[str(body["org_id"]).lower()]
    with app.state.lock:
        return Response.json(200, {"invoice": invoice_view(org, invoice)})


_HUB_SWITCHES = ("auto_deliver", "duplicate", "out_of_order")


def _webhooks(app: SandboxApp, name: str, method: str, body: dict[str, Any]) -> Response:
    state, hub = app.state, app.state.webhooks
    switches = {k: body[k] for k in _HUB_SWITCHES if k in body}
    if any(not isinstance(v, bool) for v in switches.values()):
        return _bad(f"{', '.join(_HUB_SWITCHES)} must be true or false")
    with state.lock:
        for switch, value in switches.items():
            setattr(hub, switch, value)
    if name == "webhooks" and method == "POST":
        url, key = body.get("url"), body.get("key")
        if (
            not isinstance(url, str)
            or not url.startswith(("http://", "https://"))
            or not isinstance(key, str)
            or not key
        ):
            return _bad("url (http or https) and key are required")
        return Response.json(200, webhooks.subscribe(state, url=url, key=key))
    if name == "webhooks" and method == "DELETE":
        webhooks.unsubscribe(state)
    elif name == "webhooks/deliver" and method == "POST":
        statuses = webhooks.deliver(state, duplicate=body.get("duplicate"), out_of_order=body.get("out_of_order"))
        return Response.json(200, {"statuses": statuses})
    elif not (name in ("webhooks", "webhooks/config") and method in ("GET", "POST")):
        return Response.json(404, {"error": f"no control endpoint {method} /_sandbox/{name}"})
    with state.lock:
        return Response.json(200, hub.as_dict())


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
    if name == "payments" and method == "POST":
        return _payment(app, body)
    if name.startswith("webhooks"):
        return _webhooks(app, name, method, body)
    return Response.json(404, {"error": f"no control endpoint {method} {request.path}"})
