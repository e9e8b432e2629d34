"""Shared plumbing of Xero's collection endpoints: body parsing, paging and ``summarizeErrors``."""

from __future__ import annotations

from typing import Any

from .shapes import api_exception, envelope, parse_date, validation_exception
from .where import WhereError, compile_where
from .wire import Request, Response

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def elements(request: Request, key: str) -> list[dict[str, Any]] | Response:
    """The list under ``key`` (Xero also accepts one bare object), or a 400 response."""
    try:
        body = request.json()
    except ValueError:
        return Response.json(400, api_exception(14, "PostDataInvalidException", "The request body is not valid JSON"))
    if isinstance(body, dict) and isinstance(body.get(key), list):
        items = body[key]
    elif isinstance(body, dict) and key not in body and body:
        items = [body]
    else:
        return Response.json(400, api_exception(14, "PostDataInvalidException", f"No {key} were found in the request"))
    if not all(isinstance(item, dict) for item in items):
        return Response.json(
            400, api_exception(14, "PostDataInvalidException", f"Every element of {key} must be an object")
        )
    return items


def summarize_errors(request: Request) -> bool:
    return request.q_bool("summarizeErrors", True)


def batch_response(
    *, key: str, results: list[tuple[dict[str, Any], list[str]]], summarize: bool, now: float, error_flag: str
) -> Response:
    """Xero's two answers to a batch: per-element statuses, or a 400 listing the failures.

    Valid elements are stored either way, exactly as real Xero does.
    """
    out = []
    failed = []
    for record, errors in results:
        item = dict(record)
        if errors:
            item[error_flag] = True
            item["ValidationErrors"] = [{"Message": message} for message in errors]
            item["StatusAttributeString"] = "ERROR"
            failed.append(item)
        else:
            item["StatusAttributeString"] = "OK"
        out.append(item)
    if summarize and failed:
        return Response.json(400, validation_exception(failed))
    return Response.json(200, envelope(key, out, now))


def filtered(records: list[dict[str, Any]], request: Request) -> list[dict[str, Any]] | Response:
    where = request.q("where")
    if not where:
        return records
    try:
        predicate = compile_where(where)
    except (WhereError, ValueError, TypeError) as exc:
        return Response.json(400, api_exception(16, "QueryParseException", str(exc)))
    return [record for record in records if predicate(record)]


def paged(records: list[dict[str, Any]], request: Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Apply ``page``/``pageSize``; the ``pagination`` block is returned only when paging was asked for."""
    page_text = request.q("page")
    if page_text is None:
        return records, {}
    try:
        page = max(int(page_text), 1)
        size = min(max(int(request.q("pageSize") or PAGE_SIZE), 1), MAX_PAGE_SIZE)
    except ValueError:
        page, size = 1, PAGE_SIZE
    start = (page - 1) * size
    count = len(records)
    pagination = {"page": page, "pageSize": size, "pageCount": (count + size - 1) // size, "itemCount": count}
    return records[start : start + size], {"pagination": pagination}


def ordered(records: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    """Apply Xero's ``order`` (``"Name ASC"``, ``"Total DESC, InvoiceNumber"``); unknown fields sort last."""
    order = request.q("order")
    if not order:
        return records
    result = list(records)
    for clause in reversed([c.strip() for c in order.split(",") if c.strip()]):
        field, _, direction = clause.partition(" ")
        descending = direction.strip().upper() == "DESC"
        present = [r for r in result if r.get(field) is not None]
        missing = [r for r in result if r.get(field) is None]
        present.sort(key=lambda r: _sort_key(r[field]), reverse=descending)
        result = present + missing
    return result


def _sort_key(value: Any) -> Any:
    if isinstance(value, str):
        date = parse_date(value) if value.startswith("/Date(") else None
        return (1, date.isoformat()) if date else (2, value.lower())
    return (0, value)
