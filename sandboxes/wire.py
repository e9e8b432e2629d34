"""Transport-neutral request and response objects shared by the sandboxes (testable without sockets)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased
    body: bytes = b""
    base_url: str = ""  # scheme://host:port as the client addressed us (for Location / NextPageLink)

    def q(self, name: str) -> str | None:
        """A query parameter; names compared case-insensitively."""
        lowered = name.lower()
        for key, values in self.query.items():
            if key.lower() == lowered and values:
                return values[-1]
        return None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def logged_body(self) -> Any:
        """The body as JSON or form dict when it parses, else a text excerpt."""
        if not self.body:
            return None
        text = self.body.decode("utf-8", errors="replace")
        if "application/x-www-form-urlencoded" in (self.header("content-type") or "").lower():
            return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
        try:
            return json.loads(text)
        except ValueError:
            return text[:2000]


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    data: Any = None  # the JSON value, kept for the request log and schema checks
    action: str | None = None  # "reset" = abort the socket (RST); "hold" = answer nothing, then close
    hold_seconds: float = 0.0

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        merged = {"Content-Type": "application/json; charset=utf-8"}
        merged.update(headers or {})
        return cls(status, json.dumps(data, separators=(",", ":")).encode(), merged, data)

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def redirect(cls, location: str, params: dict[str, str] | None = None) -> Response:
        if params:
            location = f"{location}{'&' if '?' in location else '?'}{urlencode(params)}"
        return cls(302, b"", {"Location": location})
