"""The small part of OData v3 query options MYOB's API is used with: ``$filter``, ``$orderby``, ``$top``, ``$skip``.

Grammar (enough for MYOB's documented examples, apisupport article 360000496815 and the
"retrieving data" page): ``or`` / ``and`` / ``not`` / parentheses; ``Path eq|ne|gt|ge|lt|le literal``;
``endswith(Path,'x')``, ``startswith(Path,'x')``, ``substringof('x',Path)``. Literals: ``'text'`` (``''``
escapes a quote), ``guid'...'``, numbers, ``true``/``false``/``null``. Paths use ``/`` (``Customer/UID``).
Comparison of text is case-sensitive, as OData's ``eq`` is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<guid>guid'[0-9a-fA-F-]{36}')|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_/.]*))"
)
_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
}


class ODataError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ODataError(f"Syntax error at position {pos} in '{text}'")
        pos = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "str":
            out.append(("lit", raw[1:-1].replace("''", "'")))
        elif kind == "guid":
            out.append(("lit", raw[5:-1].lower()))
        elif kind == "num":
            out.append(("lit", float(raw) if "." in raw else int(raw)))
        elif kind == "word" and raw in ("true", "false", "null"):
            out.append(("lit", {"true": True, "false": False, "null": None}[raw]))
        else:
            out.append((kind, raw))
    return out


def _value(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F-]{36}", value):
        return value.lower()
    return value


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) or b(r)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) and b(r)


class _Parser:
    def __init__(self, text: str, fields: set[str]) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.fields = fields

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, value: Any = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value is not None and token[1] != value):
            raise ODataError(f"Expected {value or kind} but found {token[1] if token else 'the end'}")
        self.pos += 1
        return token

    def path(self) -> str:
        _, name = self.take("word")
        if name not in self.fields:
            raise ODataError(f"Could not find a property named '{name}' that can be filtered on")
        return str(name)

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            raise ODataError(f"Unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return predicate

    def or_expr(self) -> Predicate:
        left = self.and_expr()
        while self.peek() == ("word", "or"):
            self.take()
            left = _either(left, self.and_expr())
        return left

    def and_expr(self) -> Predicate:
        left = self.unary()
        while self.peek() == ("word", "and"):
            self.take()
            left = _both(left, self.unary())
        return left

    def unary(self) -> Predicate:
        if self.peek() == ("word", "not"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        if self.peek() == ("punct", "("):
            self.take()
            inner = self.or_expr()
            self.take("punct", ")")
            return inner
        token = self.peek()
        if token and token[0] == "word" and token[1] in ("endswith", "startswith", "substringof"):
            return self.function()
        path = self.path()
        _, op = self.take("word")
        if op not in _COMPARE:
            raise ODataError(f"Unknown operator '{op}'")
        _, literal = self.take("lit")
        compare = _COMPARE[op]
        return lambda r: bool(compare(_value(r, path), literal))

    def function(self) -> Predicate:
        _, name = self.take("word")
        self.take("punct", "(")
        if name == "substringof":
            _, needle = self.take("lit")
            self.take("punct", ",")
            path = self.path()
        else:
            path = self.path()
            self.take("punct", ",")
            _, needle = self.take("lit")
        self.take("punct", ")")
        if not isinstance(needle, str):
            raise ODataError(f"{name} needs a text literal")
        if name == "endswith":
            return lambda r: str(_value(r, path) or "").endswith(needle)
        if name == "startswith":
            return lambda r: str(_value(r, path) or "").startswith(needle)
        return lambda r: needle in str(_value(r, path) or "")


def filter_parse(text: str, *, fields: set[str]) -> Predicate:
    """A predicate over records for ``$filter``; ODataError (MYOB answers 400) on anything else."""
    return _Parser(text, fields).parse()


def order_apply(records: list[dict[str, Any]], text: str | None, *, fields: set[str]) -> list[dict[str, Any]]:
    if not text:
        return records
    parts = text.split()
    if not parts or parts[0] not in fields or len(parts) > 2 or (len(parts) == 2 and parts[1] not in ("asc", "desc")):
        raise ODataError(f"Unsupported $orderby '{text}'")
    return sorted(
        records,
        key=lambda r: (_value(r, parts[0]) is None, _value(r, parts[0]) or ""),
        reverse=len(parts) == 2 and parts[1] == "desc",
    )
