"""A small evaluator for Xero's ``where`` filter (a subset of its .NET-flavoured syntax).

Supports ``Field=="x"``, ``!=``, ``<``/``>``/``<=``/``>=``, ``AND``/``OR``/``&&``/``||``/``NOT``,
parentheses, dotted paths (``Contact.ContactID``), ``.ToLower()``/``.ToUpper()``,
``.Contains("x")``/``.StartsWith("x")``/``.EndsWith("x")``, ``Guid("…")``, ``DateTime(y,m,d)``,
``true``/``false``/``null`` and numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .shapes import parse_date

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN_RE = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|>=|<=|&&|\|\||[<>!().,])'
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*))"
)
_MS_DATE_RE = re.compile(r"^/Date\(-?\d+([+-]\d{4})?\)/$")


class WhereError(ValueError):
    pass


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise WhereError(f"Unexpected character at position {pos} in where clause")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _lookup(record: Any, path: list[str]) -> Any:
    value = record
    for part in path:
        if not isinstance(value, dict):
            return None
        lowered = part.lower()
        value = next((v for k, v in value.items() if k.lower() == lowered), None)
    if isinstance(value, str) and _MS_DATE_RE.match(value):
        return parse_date(value)
    return value


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, dt.date) and isinstance(right, str):
        right = parse_date(right) or right
    if isinstance(right, dt.date) and isinstance(left, str):
        left = parse_date(left) or left
    if _is_number(left) and _is_number(right):
        return Decimal(str(left)), Decimal(str(right))
    return left, right


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1].lower() != value.lower()):
            raise WhereError(f"Expected {value or 'a term'} in where clause")
        self.pos += 1
        return token

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[1].upper() in values

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            raise WhereError(f"Unexpected {self.peek()[1]!r} in where clause")  # type: ignore[index]
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.at("OR", "||"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.at("AND", "&&"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def unary(self) -> Predicate:
        if self.at("NOT", "!"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        if self.at("("):
            self.take("(")
            inner = self.or_expr()
            self.take(")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        left = self.operand()
        token = self.peek()
        if token is None or token[1] not in ("==", "!=", ">", "<", ">=", "<="):
            return lambda r: bool(left(r))
        op = self.take()[1]
        right = self.operand()

        def compare(record: dict[str, Any]) -> bool:
            a, b = _comparable(left(record), right(record))
            if op == "==":
                return bool(a == b)
            if op == "!=":
                return bool(a != b)
            if a is None or b is None:
                return False
            try:
                return bool({">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op])
            except TypeError:
                return False

        return compare

    def literal_args(self) -> list[Any]:
        self.take("(")
        args: list[Any] = []
        while not self.at(")"):
            kind, value = self.take()
            if kind == "str":
                args.append(value[1:-1].replace('\\"', '"'))
            elif kind == "num":
                args.append(int(value) if value.lstrip("-").isdigit() else Decimal(value))
            elif value != ",":
                raise WhereError(f"Unexpected {value!r} in function arguments")
        self.take(")")
        return args

    def operand(self) -> Callable[[dict[str, Any]], Any]:
        kind, value = self.take()
        if kind == "str":
            text = value[1:-1].replace('\\"', '"')
            return lambda r: text
        if kind == "num":
            number = Decimal(value)
            return lambda r: number
        if kind != "name":
            raise WhereError(f"Unexpected {value!r} in where clause")
        lowered = value.lower()
        if lowered in ("true", "false"):
            flag = lowered == "true"
            return lambda r: flag
        if lowered == "null":
            return lambda r: None
        if lowered == "guid" and self.at("("):
            (guid,) = self.literal_args()
            return lambda r: str(guid).lower()
        if lowered == "datetime" and self.at("("):
            args = self.literal_args()
            day = dt.date(*(int(a) for a in args[:3]))
            return lambda r: day
        path = [value]
        transforms: list[Callable[[Any], Any]] = []
        while self.at("."):
            self.take(".")
            _, member = self.take()
            if self.at("("):
                transforms.append(self.method(member, self.literal_args()))
            else:
                path.append(member)

        def getter(record: dict[str, Any]) -> Any:
            result = _lookup(record, path)
            if isinstance(result, str) and len(result) == 36 and result.count("-") == 4:
                result = result.lower()
            for transform in transforms:
                result = transform(result)
            return result

        return getter

    @staticmethod
    def method(name: str, args: list[Any]) -> Callable[[Any], Any]:
        lowered = name.lower()
        if lowered == "tolower":
            return lambda v: v.lower() if isinstance(v, str) else v
        if lowered == "toupper":
            return lambda v: v.upper() if isinstance(v, str) else v
        if lowered in ("contains", "startswith", "endswith") and len(args) == 1:
            needle = str(args[0])
            test = {"contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}[lowered]
            return lambda v: isinstance(v, str) and test(v, needle)
        raise WhereError(f"Unsupported method {name} in where clause")


def compile_where(text: str) -> Predicate:
    """Compile once, evaluate per record (records are the PascalCase dicts the API returns)."""
    return _Parser(text).parse()
