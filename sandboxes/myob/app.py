"""The MYOB sandbox application: request log, fault injection, headers, rate limit and auth around the
OAuth and AccountRight handlers. Pure Python, no sockets: ``sandboxes.http`` serves it."""

from __future__ import annotations

import logging
import re
import time
import traceback
from typing import Any

from sandboxes.wire import Request, Response

from . import api, auth, control, ui
from .errors import one, rate_limited
from .state import FaultRule, SandboxState

logger = logging.getLogger(__name__)
_BUSINESS = re.compile(r"^/accountright/(?P<bid>[0-9a-fA-F-]{36})(?P<rest>/.*)?$", re.IGNORECASE)
_UID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _business_of(path: str) -> tuple[str | None, str]:
    match = _BUSINESS.match(path)
    if match is None:
        return None, ""
    return match.group("bid").lower(), match.group("rest") or "/"


class SandboxApp:
    def __init__(self, state: SandboxState | None = None) -> None:
        self.state = state or SandboxState()

    def handle(self, request: Request) -> Response:
        lowered = request.path.lower().rstrip("/")
        if lowered.startswith("/_sandbox/"):
            return control.handle(self.state, request)
        if lowered in ("", "/_sandbox"):
            return Response.html(200, ui.state_page(self.state))
        started = time.monotonic()
        entry = self._log_start(request)
        try:
            response = self._with_faults(request, entry)
        except Exception:  # a sandbox bug surfaces as a 500 with the trace, not a dropped socket
            logger.exception("MYOB sandbox handler failed")
            response = one(500, "InternalError", "Sandbox error", traceback.format_exc()[-2000:])
        self._log_finish(entry, response, started)
        return response

    def _with_faults(self, request: Request, entry: dict[str, Any]) -> Response:
        business_id, _ = _business_of(request.path)
        rule = self.state.faults.take(method=request.method, path=request.path, business_id=business_id)
        if rule is None:
            return self._dispatch(request)
        entry["fault"] = rule.kind
        self.state.count("events", f"fault_{rule.kind}")
        return self._fault(rule, request, entry)

    def _fault(self, rule: FaultRule, request: Request, entry: dict[str, Any]) -> Response:
        kind = rule.kind
        if kind == "reset":
            return Response(0, action="reset")
        if kind in ("rate_limit", "429"):
            return rate_limited(status=429 if kind == "429" else self.state.config.rate_limit_status)
        if kind == "504":
            return one(504, "GatewayTimeout", "Connection to the API has timed out")
        if kind in ("500", "503"):
            return one(
                int(kind),
                "InternalError" if kind == "500" else "ServiceUnavailable",
                "An error occurred while processing the request",
            )
        response = self._dispatch(request)  # commit_then_*: the work is done, the answer is lost
        if kind == "commit_then_timeout":
            response.action, response.hold_seconds = "hold", float(rule.hold_seconds)
            return response
        if kind == "commit_then_reset":
            response.action = "reset"
            return response
        entry["committed_status"] = response.status  # commit_then_504
        return one(504, "GatewayTimeout", "Connection to the API has timed out")

    def _dispatch(self, request: Request) -> Response:
        lowered = request.path.lower().rstrip("/")
        if lowered == "/oauth2/account/authorize" and request.method in ("GET", "POST"):
            return auth.authorize(self.state, request)
        if lowered == "/oauth2/v1/authorize" and request.method == "POST":
            return auth.token(self.state, request)
        business_id, rest = _business_of(request.path)
        if business_id is not None:
            return self._accountright(request, business_id, rest)
        return one(404, "NotFound", f"No sandbox endpoint {request.method} {request.path}")

    def _accountright(self, request: Request, business_id: str, rest: str) -> Response:
        state = self.state
        api_key = (request.header("x-myobapi-key") or "").strip()
        if not api_key:
            return one(403, "DeveloperInactive", "The API key is missing or inactive", "Header: x-myobapi-key")
        if (request.header("x-myobapi-version") or "").strip().lower() != "v2":
            return one(
                400, "UnsupportedVersion", "This sandbox serves only x-myobapi-version: v2", "Header: x-myobapi-version"
            )
        limit = state.limiter.acquire(api_key=api_key, now=state.now(), config=state.config)
        if limit is not None:
            state.count("events", "rate_limited")
            return rate_limited(status=state.config.rate_limit_status, per=limit)
        grant, refused = auth.bearer_grant(state, request)
        if refused is not None:
            return refused
        assert grant is not None
        if grant.client_id != api_key:
            return one(403, "DeveloperInactive", "The API key does not match the token", "Header: x-myobapi-key")
        business = state.businesses.get(business_id)
        if business is None:
            return one(404, "NotFound", f"Company file {business_id} was not found")
        if grant.business_id != business_id:
            return one(
                403,
                "AccessDenied",
                "Access to this company file is denied",
                "The user did not consent to this company file",
            )
        if state.config.latency_seconds > 0:
            time.sleep(state.config.latency_seconds)
        return api.handle(state, business, request, rest)

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
                "query": {k: v[-1] for k, v in request.query.items()},
                "headers": dict(request.headers),
                "business_id": _business_of(request.path)[0],
                "body": request.logged_body() if state.config.log_bodies else None,
                "status": None,
                "fault": None,
            }
            state.request_log.append(entry)
            state.stats["calls"][f"{request.method} {_UID.sub('{id}', request.path)}"] += 1
        return entry

    def _log_finish(self, entry: dict[str, Any], response: Response, started: float) -> None:
        with self.state.lock:
            entry["status"] = response.status if response.action is None else None
            entry["outcome"] = response.action or "answered"
            if response.action:
                entry["committed_status"] = response.status
            entry.setdefault("committed_status", None)
            entry["response_headers"] = dict(response.headers)
            entry["response"] = response.data if self.state.config.log_bodies else None
            entry["duration_ms"] = round((time.monotonic() - started) * 1000, 2)
