"""Transport-neutral request and response objects, so the sandbox logic is testable without sockets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from .shapes import dumps


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-cased
    body: bytes = b""
    path_params: dict[str, str] = field(default_factory=dict)

    def q(self, name: str) -> str | None:
        """A query parameter, case-insensitively (Xero does not care about case)."""
        lowered = name.lower()
        for key, values in self.query.items():
            if key.lower() == lowered and values:
                return values[-1]
        return None

    def q_list(self, name: str) -> list[str] | None:
        value = self.q(name)
        if value is None:
            return None
        return [part.strip().strip('"') for part in value.split(",") if part.strip()]

    def q_bool(self, name: str, default: bool) -> bool:
        value = self.q(name)
        if value is None:
            return default
        return value.strip().lower() in ("true", "1", "yes")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def logged_body(self) -> Any:
        """The body as JSON or form dict when it parses, else a text excerpt."""
        if not self.body:
            return None
        content_type = (self.header("content-type") or "").lower()
        text = self.body.decode("utf-8", errors="replace")
        if "application/x-www-form-urlencoded" in content_type:
            return {k: v[-1] if len(v) == 1 else v for k, v in parse_qs(text, keep_blank_values=True).items()}
        try:
            return json.loads(text)
        except ValueError:
            return text[:2000]


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    data: Any = None  # the JSON value, kept for the request log
    action: str | None = None  # "reset" = abort the socket; "hold" = answer nothing, then close
    hold_seconds: float = 0.0

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        merged = {"Content-Type": "application/json; charset=utf-8"}
        merged.update(headers or {})
        return cls(status, dumps(data), merged, data)

    @classmethod
    def raw_json(cls, status: int, text: str) -> Response:
        """Exact bytes (the SDK compares the invalid_grant body as a string)."""
        return cls(status, text.encode(), {"Content-Type": "application/json; charset=utf-8"}, json.loads(text))

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def redirect(cls, location: str, params: dict[str, str] | None = None) -> Response:
        if params:
            separator = "&" if "?" in location else "?"
            location = f"{location}{separator}{urlencode(params)}"
        return cls(302, b"", {"Location": location})

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        return cls(status)
