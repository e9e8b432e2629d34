"""Xero's per-organisation rate limits and the fault-injection rule book."""

from __future__ import annotations

import fnmatch
import itertools
import math
import threading
from collections import defaultdict, deque
from dataclasses import asdict, dataclass
from typing import Any

FAULT_KINDS = ("429", "500", "503", "reset", "commit_then_timeout", "401", "delay")
_MINUTE = 60.0
_DAY = 86400.0


@dataclass
class LimitDecision:
    allowed: bool
    headers: dict[str, str]
    problem: str | None = None
    retry_after: int = 0


class RateLimiter:
    """Rolling-window counters per organisation plus an in-flight gauge for the concurrency cap.

    Only admitted calls count; a 429 does not use up quota (so a client that honours Retry-After
    always gets through).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minute: dict[str, deque[float]] = defaultdict(deque)
        self._day: dict[str, deque[float]] = defaultdict(deque)
        self._app_minute: deque[float] = deque()
        self._in_flight: dict[str, int] = defaultdict(int)

    @staticmethod
    def _trim(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def acquire(self, *, org_id: str, now: float, config: Any) -> LimitDecision:
        with self._lock:
            minute, day = self._minute[org_id], self._day[org_id]
            self._trim(minute, now, _MINUTE)
            self._trim(day, now, _DAY)
            self._trim(self._app_minute, now, _MINUTE)
            problem, retry_after = None, 0
            if config.rate_limits_enabled:
                if len(day) >= config.day_limit:
                    problem, retry_after = "day", math.ceil(day[0] + _DAY - now)
                elif len(minute) >= config.minute_limit:
                    problem, retry_after = "minute", math.ceil(minute[0] + _MINUTE - now)
                elif len(self._app_minute) >= config.app_minute_limit:
                    problem, retry_after = "appminute", math.ceil(self._app_minute[0] + _MINUTE - now)
                elif self._in_flight[org_id] >= config.concurrent_limit:
                    problem, retry_after = "concurrent", 1
            if problem is None:
                minute.append(now)
                day.append(now)
                self._app_minute.append(now)
                self._in_flight[org_id] += 1
            headers = {
                "X-MinLimit-Remaining": str(max(config.minute_limit - len(minute), 0)),
                "X-DayLimit-Remaining": str(max(config.day_limit - len(day), 0)),
                "X-AppMinLimit-Remaining": str(max(config.app_minute_limit - len(self._app_minute), 0)),
            }
            if problem:
                retry_after = max(retry_after, 1)
                headers["Retry-After"] = str(retry_after)
                headers["X-Rate-Limit-Problem"] = problem
            return LimitDecision(problem is None, headers, problem, retry_after)

    def release(self, *, org_id: str) -> None:
        with self._lock:
            self._in_flight[org_id] = max(self._in_flight[org_id] - 1, 0)

    def in_flight(self, org_id: str) -> int:
        with self._lock:
            return self._in_flight[org_id]


@dataclass
class FaultRule:
    kind: str
    method: str = "*"
    path: str = "*"
    times: int | None = 1  # None = every matching request until cleared
    skip: int = 0  # let this many matching requests through first
    retry_after: int = 1
    hold_seconds: float = 30.0
    tenant_id: str | None = None
    problem: str = "minute"  # X-Rate-Limit-Problem of a "429" fault: minute, day, concurrent
    id: int = 0
    fired: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {"kind", "method", "path", "times", "skip", "retry_after", "hold_seconds", "tenant_id", "problem"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(unknown)}")
        kind = str(data.get("kind", ""))
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        rule = cls(kind=kind, **{k: v for k, v in data.items() if k != "kind"})
        rule.method = rule.method.upper()
        return rule

    def matches(self, *, method: str, path: str, tenant_id: str | None) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        if self.tenant_id and self.tenant_id.lower() != (tenant_id or "").lower():
            return False
        pattern = self.path.lower()
        lowered = path.lower()
        api_relative = lowered.split("/api.xro/2.0", 1)[-1] if "/api.xro/2.0" in lowered else lowered
        return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in (lowered, api_relative))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            rule.id = next(self._ids)
            self.rules.append(rule)
            return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def take(self, *, method: str, path: str, tenant_id: str | None) -> FaultRule | None:
        """The first live rule matching this request, consuming one of its ``times``."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method=method, path=path, tenant_id=tenant_id):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                rule.fired += 1
                return rule
            return None

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_dict() for rule in self.rules]
