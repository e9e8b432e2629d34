"""``SandboxControl``: a small stdlib client of the ``/_sandbox/`` control API, usable from any process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode


class SandboxControlError(RuntimeError):
    pass


class SandboxControl:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SandboxControlError(f"not an http URL: {base_url}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, name: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}/_sandbox/{name}"
        if query:
            url += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) checked
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SandboxControlError(f"{method} {url} -> {exc.code}: {exc.read().decode(errors='replace')}") from exc

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def config(self, **values: Any) -> dict[str, Any]:
        """Read the configuration; with keywords, change those keys first."""
        return dict(self._call("POST", "config", values) if values else self._call("GET", "config"))

    def advance_clock(self, seconds: float) -> None:
        self._call("POST", "clock", {"advance_seconds": seconds})

    def add_fault(
        self, kind: str, *, method: str = "*", path: str = "*", times: int | None = 1, **extra: Any
    ) -> dict[str, Any]:
        """kinds: reset, commit_then_timeout, commit_then_reset, commit_then_504, 504, 500, 503, rate_limit, 429."""
        rule = {"kind": kind, "method": method, "path": path, "times": times, **extra}
        return dict(self._call("POST", "faults", rule)["faults"][0])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["faults"])

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "state"))

    def business(self, business_id: str) -> dict[str, Any]:
        return next(b for b in self.state()["businesses"] if b["businessId"] == business_id.lower())

    def invoices(self, business_id: str) -> list[dict[str, Any]]:
        return list(self.business(business_id)["invoices"])

    def customers(self, business_id: str) -> list[dict[str, Any]]:
        return list(self.business(business_id)["customers"])

    def issue_token(self, *, business_id: str | None = None, client_id: str | None = None) -> dict[str, Any]:
        """A token pair for one company file without the browser consent."""
        return dict(self._call("POST", "grant", {"business_id": business_id, "client_id": client_id}))

    def requests(self, *, method: str | None = None, path: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return list(self._call("GET", "requests", query={"method": method, "path": path, "since": since})["requests"])

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def stats(self) -> dict[str, Any]:
        return dict(self._call("GET", "stats"))
