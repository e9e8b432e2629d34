"""Every Accounting API call of the export engine goes through :func:`xero_call`.

It takes a slot from the organisation's limiter first (or raises :class:`RateLimited` with the
wait, so the task reschedules itself instead of sleeping), gives the slot back afterwards, and
turns Xero's 429 into a limiter block for every worker plus :class:`RateLimited` — or
:class:`DayLimitReached` when ``X-Rate-Limit-Problem`` says the day's allowance is spent.

A 401 (Xero no longer accepts a token that looked fresh to us: revoked, clock skew) refreshes the
token once and repeats the call under a new slot; a 401 means Xero did nothing, so repeating is safe.
Xero's answer always wins over the limiter's bookkeeping: the limiter never raises (see limiter.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from xero_python.exceptions import HTTPStatusException, RateLimitException

from integrations.xero.client import xero_call_kwargs, xero_connection_id_of
from integrations.xero.export.limiter import Slot, limiter_acquire, limiter_block, limiter_release
from integrations.xero.tokens import xero_token_refresh

T = TypeVar("T")
DEFAULT_RETRY_AFTER = 60.0


class RateLimited(Exception):
    """No call now; try again in ``wait_seconds`` (from our limiter or Xero's Retry-After)."""

    def __init__(self, wait_seconds: float, *, from_xero: bool = False) -> None:
        self.wait_seconds = wait_seconds
        self.from_xero = from_xero
        super().__init__(f"rate limited for {wait_seconds:.1f}s")


class DayLimitReached(RateLimited):
    """Xero's daily allowance for the organisation is spent (429 with problem "day")."""


@dataclass
class CallStats:
    """Counts Xero calls (the benchmark reads it)."""

    calls: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.calls += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


STATS = CallStats()


def retry_after_seconds(exc: RateLimitException) -> float:
    headers = getattr(exc, "headers", None) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(float(raw), 1.0) if raw is not None else DEFAULT_RETRY_AFTER
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def xero_slot_take(*, org: str) -> Slot:
    """A call slot now, or :class:`RateLimited` with how long to wait."""
    slot = limiter_acquire(org=org)
    if not slot.granted:
        raise RateLimited(slot.wait_seconds)
    return slot


def xero_call(*, org: str, kind: str, fn: Callable[..., T], slot: Slot | None = None, **kwargs: Any) -> T:
    """``fn(org, **kwargs, _request_timeout=…)`` under the organisation's limiter.

    ``slot``: one taken beforehand with :func:`xero_slot_take` (the batch takes its slot before
    claiming invoices, so a busy limiter never leaves claimed invoices behind); released here.
    """
    slot = slot or xero_slot_take(org=org)
    try:
        return _call_once(org=org, kind=kind, fn=fn, kwargs=kwargs)
    except HTTPStatusException as exc:
        connection_id = xero_connection_id_of(fn)
        if int(exc.status or 0) != 401 or connection_id is None:
            raise
    finally:
        limiter_release(org=org, slot=slot)
    # Xero docs: https://developer.xero.com/documentation/guides/oauth2/troubleshooting (401 → refresh)
    xero_token_refresh(connection_id=connection_id, force=True)
    slot = xero_slot_take(org=org)
    try:
        return _call_once(org=org, kind=kind, fn=fn, kwargs=kwargs)
    finally:
        limiter_release(org=org, slot=slot)


def _call_once(*, org: str, kind: str, fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    try:
        STATS.add(kind)
        return fn(org, **kwargs, **xero_call_kwargs())
    except RateLimitException as exc:
        wait = retry_after_seconds(exc)
        problem = (getattr(exc, "rate_limit", None) or "").lower()
        limiter_block(org=org, seconds=wait)
        if problem == "day":
            raise DayLimitReached(wait, from_xero=True) from exc
        raise RateLimited(wait, from_xero=True) from exc
