"""The sandbox application: request log, fault injection, auth, rate limits and idempotency around
the identity and accounting handlers. Pure Python, no sockets: ``server.py`` adapts it to HTTP."""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from typing import Any

from . import accounting, control, identity, ui
from .shapes import api_exception, problem
from .state import SandboxState
from .wire import Request, Response

logger = logging.getLogger(__name__)
API_PREFIX = "/api.xro/2.0"
_UUID_IN_PATH = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_REPLAY_KEYS = ("Content-Type",)


class SandboxApp:
    def __init__(self, state: SandboxState | None = None) -> None:
        self.state = state or SandboxState()

    # --- entry point ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        lowered = request.path.lower().rstrip("/")
        if lowered.startswith("/_sandbox/") and lowered != "/_sandbox/ui":
            return control.handle(self, request)
        if lowered in ("", "/_sandbox/ui", "/_sandbox"):
            return Response.html(200, ui.state_page(self.state, org_filter=request.q("org")))
        if lowered.startswith("/sandbox/invoices/"):
            page = ui.invoice_page(self.state, lowered.rsplit("/", 1)[-1])
            return (
                Response.html(200, page) if page else Response.html(404, ui.error_page("Not found", "No such invoice."))
            )
        started = time.monotonic()
        entry = self._log_start(request)
        try:
            response = self._with_faults(request, entry)
        except Exception:  # a sandbox bug must surface as a 500 with the trace, not a dropped socket
            logger.exception("sandbox handler failed")
            response = Response.json(500, api_exception(500, "SandboxError", traceback.format_exc()[-2000:]))
        self._log_finish(entry, response, started)
        return response

    def _with_faults(self, request: Request, entry: dict[str, Any]) -> Response:
        rule = self.state.faults.take(
            method=request.method, path=request.path, tenant_id=request.header("xero-tenant-id")
        )
        if rule is None:
            return self._dispatch(request)
        entry["fault"] = rule.kind
        self.state.count("events", f"fault_{rule.kind}")
        if rule.kind == "reset":
            return Response(0, action="reset")
        if rule.kind == "429":
            headers = {"Retry-After": str(rule.retry_after), "X-Rate-Limit-Problem": rule.problem}
            return Response.json(429, problem(429, "Too Many Requests", "Rate limit exceeded"), headers)
        if rule.kind == "401":  # Xero refused the token (revoked, clock skew) although it looked fresh to us
            return identity.unauthorized("TokenExpired: token expired at a time the client did not expect")
        if rule.kind == "delay":  # Xero is slow: wait, then do the work and answer normally
            time.sleep(float(rule.hold_seconds))
            return self._dispatch(request)
        if rule.kind in ("500", "503"):
            status = int(rule.kind)
            title = "An error occurred in Xero" if status == 500 else "Service Unavailable"
            return Response.json(
                status, api_exception(status, "ServiceException" if status == 500 else "ServiceUnavailable", title)
            )
        response = self._dispatch(request)  # commit_then_timeout: do the work, then never answer
        response.action, response.hold_seconds = "hold", float(rule.hold_seconds)
        return response

    def _dispatch(self, request: Request) -> Response:
        lowered = request.path.lower().rstrip("/")
        method = request.method
        if lowered == "/identity/connect/authorize" and method in ("GET", "POST"):
            return identity.authorize(self.state, request)
        if lowered == "/connect/token" and method == "POST":
            return identity.token(self.state, request)
        if lowered == "/connect/revocation" and method == "POST":
            return identity.revocation(self.state, request)
        if lowered == "/connections" and method == "GET":
            return identity.connections(self.state, request)
        if lowered.startswith("/connections/") and method == "DELETE":
            request.path_params["id"] = request.path.rstrip("/").rsplit("/", 1)[-1].lower()
            return identity.connections(self.state, request)
        if lowered.startswith(API_PREFIX + "/"):
            return self._accounting(request, request.path.rstrip("/")[len(API_PREFIX) :])
        return Response.json(404, problem(404, "Not Found", f"No sandbox endpoint {method} {request.path}"))

    # --- accounting ----------------------------------------------------------------------------

    def _accounting(self, request: Request, api_path: str) -> Response:
        state = self.state
        grant, detail = identity.bearer_grant(state, request)
        if grant is None:
            return identity.unauthorized(detail)
        tenant_id = (request.header("xero-tenant-id") or "").strip().lower()
        if not tenant_id or tenant_id not in grant.org_ids() or tenant_id not in state.orgs:
            return Response.json(403, problem(403, "Forbidden", "AuthenticationUnsuccessful"))
        if len(request.body) > state.config.max_body_bytes:
            return Response.json(413, problem(413, "Request Entity Too Large", "The request is too large"))
        routed = accounting.route(request.method, api_path)
        if routed is None:
            return Response.json(404, problem(404, "Not Found", f"The sandbox does not implement {api_path}"))
        if routed == "405":
            return Response.json(405, problem(405, "Method Not Allowed", f"{request.method} {api_path}"))
        assert not isinstance(routed, str)
        handler, params = routed
        request.path_params.update(params)
        org = state.orgs[tenant_id]
        decision = state.limiter.acquire(org_id=tenant_id, now=state.now(), config=state.config)
        if not decision.allowed:
            state.count("events", f"rate_limited_{decision.problem}")
            body = problem(429, "Too Many Requests", f"Rate limit exceeded: {decision.problem}")
            return Response.json(429, body, decision.headers)
        try:
            if state.config.latency_seconds > 0:
                time.sleep(state.config.latency_seconds)
            key = request.header("idempotency-key")
            if key and request.method in ("PUT", "POST"):
                response = self._idempotent(request, (tenant_id, key), lambda: handler(state, org, request))
            else:
                response = handler(state, org, request)
        finally:
            state.limiter.release(org_id=tenant_id)
        response.headers.update(decision.headers)
        return response

    def _idempotent(self, request: Request, key: tuple[str, str], run: Any) -> Response:
        """Replay the first answer for a repeated Idempotency-Key (same org) instead of doing it again."""
        # Xero docs: https://developer.xero.com/documentation/guides/idempotent-requests/idempotency
        state = self.state
        while True:
            with state.lock:
                stored = state.idempotency.get(key)
                if stored is not None:
                    state.count("events", "idempotent_replays")
                    replay = Response(stored["status"], stored["body"], dict(stored["headers"]), stored["data"])
                    replay.headers["Idempotent-Replayed"] = "true"
                    return replay
                pending = state.idempotency_pending.get(key)
                if pending is None:
                    mine = threading.Event()
                    state.idempotency_pending[key] = mine
                    break
            pending.wait(timeout=120)
        try:
            response = run()
            if response.status < 500 and response.status != 429:
                with state.lock:
                    state.idempotency[key] = {
                        "status": response.status,
                        "body": response.body,
                        "headers": {k: v for k, v in response.headers.items() if k in _REPLAY_KEYS},
                        "data": response.data,
                    }
            return response
        finally:
            with state.lock:
                state.idempotency_pending.pop(key, None)
            mine.set()

    # --- request log ---------------------------------------------------------------------------

    def _log_start(self, request: Request) -> dict[str, Any]:
        state = self.state
        with state.lock:
            state.request_seq += 1
            entry: dict[str, Any] = {
                "id": state.request_seq,
                "at": state.now(),
                "method": request.method,
                "path": request.path,
                "query": {k: v[-1] if len(v) == 1 else v for k, v in request.query.items()},
                "headers": dict(request.headers),
                "tenant_id": request.header("xero-tenant-id"),
                "idempotency_key": request.header("idempotency-key"),
                "body": request.logged_body() if state.config.log_bodies else None,
                "status": None,
                "fault": None,
            }
            state.request_log.append(entry)
            state.stats["calls"][f"{request.method} {_UUID_IN_PATH.sub('{id}', request.path)}"] += 1
        return entry

    def _log_finish(self, entry: dict[str, Any], response: Response, started: float) -> None:
        with self.state.lock:
            entry["status"] = response.status if response.action is None else None
            entry["outcome"] = response.action or "answered"
            entry["committed_status"] = response.status if response.action == "hold" else None
            entry["response_headers"] = dict(response.headers)
            entry["response"] = response.data if self.state.config.log_bodies else None
            entry["duration_ms"] = round((time.monotonic() - started) * 1000, 2)
