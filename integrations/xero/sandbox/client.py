"""``SandboxControl``: a tiny stdlib client of the ``/_sandbox/`` control API for tests in any process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class SandboxControlError(RuntimeError):
    pass


class SandboxControl:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, name: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}/_sandbox/{name}"
        if query:
            from urllib.parse import urlencode

            url += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        if not url.startswith(("http://", "https://")):
            raise SandboxControlError(f"not an http URL: {url}")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - checked above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - checked above
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SandboxControlError(f"{method} {url} -> {exc.code}: {exc.read().decode(errors='replace')}") from exc

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def config(self, **values: Any) -> dict[str, Any]:
        """Read the configuration; with keywords, change those keys first."""
        if values:
            return dict(self._call("POST", "config", values))
        return dict(self._call("GET", "config"))

    def add_fault(
        self, kind: str, *, method: str = "*", path: str = "*", times: int | None = 1, **extra: Any
    ) -> dict[str, Any]:
        """Inject a fault: kind is "429", "500", "503", "reset", "commit_then_timeout", "401" (refuse the
        token) or "delay" (answer normally after ``hold_seconds``)."""
        rule = {"kind": str(kind), "method": method, "path": path, "times": times, **extra}
        return dict(self._call("POST", "faults", rule)["faults"][0])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "faults")["faults"])

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def state(self, org_id: str | None = None) -> dict[str, Any]:
        return dict(self._call("GET", "state", query={"org_id": org_id}))

    def _org(self, org_id: str) -> dict[str, Any]:
        orgs = self.state(org_id)["organisations"]
        if not orgs:
            raise SandboxControlError(f"unknown organisation {org_id}")
        return dict(orgs[0])

    def invoices(self, org_id: str) -> list[dict[str, Any]]:
        return list(self._org(org_id)["invoices"])

    def contacts(self, org_id: str) -> list[dict[str, Any]]:
        return list(self._org(org_id)["contacts"])

    def add_contacts(self, org_id: str, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create contacts directly in Xero's books (as if typed in by a Xero user)."""
        return list(self._call("POST", "contacts", {"org_id": org_id, "contacts": contacts})["contacts"])

    def requests(
        self, *, method: str | None = None, path: str | None = None, since: int | None = None
    ) -> list[dict[str, Any]]:
        return list(self._call("GET", "requests", query={"method": method, "path": path, "since": since})["requests"])

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def stats(self) -> dict[str, Any]:
        return dict(self._call("GET", "stats"))

    def clear_stats(self) -> None:
        self._call("DELETE", "stats")

    def issue_token(self, *, org_ids: list[str] | None = None, scope: str | None = None,
                    client_id: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Mint a token pair for a new grant without the browser flow; includes ``connections``."""
        return dict(self._call("POST", "grant", {"org_ids": org_ids, "scope": scope, "client_id": client_id}))

    def advance_clock(self, seconds: float) -> float:
        return float(self._call("POST", "clock", {"advance_seconds": seconds})["clock_offset_seconds"])

    def pay(self, org_id: str, invoice_id: str, amount: float | str | None = None, *, date: str | None = None,
            reference: str | None = None) -> dict[str, Any]:  # fmt: skip
        """A person in Xero paying ``amount`` (None = everything due) on an invoice; returns the invoice."""
        body = {"org_id": org_id, "invoice_id": invoice_id, "amount": amount, "date": date, "reference": reference}
        return dict(self._call("POST", "payments", body)["invoice"])

    def webhook_subscribe(self, url: str, key: str, **switches: bool) -> dict[str, Any]:
        """Subscribe ``url`` with signing ``key`` and run intent to receive; ``status`` OK when it passed.
        Switches: ``auto_deliver`` (default true), faults ``duplicate`` and ``out_of_order``."""
        return dict(self._call("POST", "webhooks", {"url": url, "key": key, **switches}))

    def webhooks(self, **switches: bool) -> dict[str, Any]:
        """The subscription with its pending events and deliveries; keywords change switches first."""
        if switches:
            return dict(self._call("POST", "webhooks/config", switches))
        return dict(self._call("GET", "webhooks"))

    def webhook_deliver(self, **switches: bool) -> list[int | None]:
        """Send the pending events now; the HTTP status of each POST (None = no answer)."""
        return list(self._call("POST", "webhooks/deliver", switches)["statuses"])

    def webhook_unsubscribe(self) -> None:
        self._call("DELETE", "webhooks")
