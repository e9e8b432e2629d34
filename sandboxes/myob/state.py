"""In-memory state of the MYOB sandbox: configuration, company files, grants and tokens, limits, faults, log.

One ``SandboxState`` per server, guarded by one re-entrant lock; handlers take ``state.lock`` for
every read-modify-write so concurrent HTTP threads see one consistent MYOB.
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from . import seed


@dataclass
class SandboxConfig:
    """Switches a test (or the control API) may flip. Defaults follow MYOB as far as the sources say."""

    auto_approve: bool = False  # skip the consent page and grant ``approve_business_id`` (or the first file)
    approve_business_id: str | None = None
    client_id: str | None = None  # the API key; None = accept any
    client_secret: str | None = None
    rate_limits_enabled: bool = True
    per_second_limit: int = 8  # per API key, across every business (MYOB staff, community thread 693742)
    day_limit: int = 1_000_000
    rate_limit_status: int = 403  # MYOB's documented answer; 429 per api-evangelist (conflicting source)
    access_token_ttl: int = 1200
    code_ttl: int = 300
    po_number_max: int = 20  # CustomerPurchaseOrderNumber: docs say 255, old import specs 20; we enforce 20
    memo_max: int = 255  # JournalMemo, Comment, line Description (old import specs; not readable in the docs)
    reject_duplicate_numbers: bool = False  # unknown whether MYOB does; off so tests can count duplicates
    latency_seconds: float = 0.0
    clock_offset_seconds: float = 0.0
    clock_frozen_at: float | None = None  # a fixed sandbox time (epoch seconds) for exact rate-limit tests
    log_bodies: bool = True
    max_log_entries: int = 20000

    def update(self, values: dict[str, Any]) -> None:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        for key, value in values.items():
            if isinstance(getattr(self, key), bool) and not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
            if key == "rate_limit_status" and value not in (403, 429):
                raise ValueError("rate_limit_status must be 403 or 429")
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Business:
    business_id: str
    name: str
    zero_pads_numbers: bool
    accounts: list[dict[str, Any]]
    tax_codes: list[dict[str, Any]]
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)  # UID -> record
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)  # UID -> record (every layout)
    invoice_seq: int = 0
    customer_seq: int = 0
    # Rendered invoices by (base URL, UID): records never change after creation (no PUT in the sandbox),
    # and rendering every invoice for every look-up made big fault tests slow.
    invoice_views: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def tax_code(self, uid: str) -> dict[str, Any] | None:
        return next((t for t in self.tax_codes if t["UID"] == uid), None)

    def account(self, uid: str) -> dict[str, Any] | None:
        return next((a for a in self.accounts if a["UID"] == uid), None)


@dataclass
class Grant:
    grant_id: str
    client_id: str
    scope: str
    business_id: str | None  # one file per consent; None when the app did not send prompt=consent


@dataclass
class AccessToken:
    token: str
    grant_id: str
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    grant_id: str
    spent: bool = False


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    business_id: str | None
    expires_at: float
    used: bool = False


FAULT_KINDS = (
    "reset",  # RST before anything is processed
    "commit_then_timeout",  # processed and stored, then no answer until the client gives up
    "commit_then_reset",  # processed and stored, then RST
    "commit_then_504",  # processed and stored, then 504 GatewayTimeout
    "504",  # 504 GatewayTimeout, nothing processed
    "500",
    "503",
    "rate_limit",  # 403 RateLimitError (or 429 when rate_limit_status is 429), nothing processed
    "429",
)


@dataclass
class FaultRule:
    kind: str
    method: str = "*"
    path: str = "*"  # glob on the full path or on the part after /accountright/{businessId}
    business_id: str | None = None
    times: int | None = 1  # None = every matching request until cleared
    skip: int = 0  # let this many matching requests through first
    hold_seconds: float = 30.0
    id: int = 0
    fired: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {f.name for f in fields(cls)} - {"id", "fired"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(unknown)}")
        if data.get("kind") not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        rule = cls(**data)
        rule.method = rule.method.upper()
        return rule

    def matches(self, *, method: str, path: str, business_id: str | None) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        if self.business_id and self.business_id.lower() != (business_id or "").lower():
            return False
        lowered = path.lower()
        relative = lowered
        if lowered.startswith("/accountright/") and business_id:
            relative = lowered.split(business_id.lower(), 1)[-1]
        pattern = self.path.lower()
        return fnmatch.fnmatchcase(lowered, pattern) or fnmatch.fnmatchcase(relative, pattern)


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

    def take(self, *, method: str, path: str, business_id: str | None) -> FaultRule | None:
        """The first live rule matching this request, consuming one of its ``times``."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method=method, path=path, business_id=business_id):
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
            return [asdict(rule) for rule in self.rules]


class RateLimiter:
    """Rolling windows per API key (not per business): MYOB counts calls against the developer key.

    Only admitted calls count, so a client that waits always gets through.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._second: dict[str, deque[float]] = defaultdict(deque)
        self._day: dict[str, deque[float]] = defaultdict(deque)
        self.max_seen_per_second: dict[str, int] = defaultdict(int)

    def acquire(self, *, api_key: str, now: float, config: SandboxConfig) -> str | None:
        """None when admitted, else which limit was hit ("per-second" or "daily")."""
        with self._lock:
            second, day = self._second[api_key], self._day[api_key]
            while second and second[0] <= now - 1.0:
                second.popleft()
            while day and day[0] <= now - 86400.0:
                day.popleft()
            if config.rate_limits_enabled:
                if len(day) >= config.day_limit:
                    return "daily"
                if len(second) >= config.per_second_limit:
                    return "per-second"
            second.append(now)
            day.append(now)
            self.max_seen_per_second[api_key] = max(self.max_seen_per_second[api_key], len(second))
            return None


class SandboxState:
    def __init__(self, **config_overrides: Any) -> None:
        self.lock = threading.RLock()
        self._baseline = dict(config_overrides)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.config = SandboxConfig()
            self.config.update(self._baseline)
            self.businesses: dict[str, Business] = {
                s.business_id: Business(
                    s.business_id,
                    s.name,
                    s.zero_pads_numbers,
                    seed.accounts(s.business_id),
                    seed.tax_codes(s.business_id),
                )
                for s in seed.BUSINESS_SEEDS
            }
            self.grants: dict[str, Grant] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.codes: dict[str, AuthCode] = {}
            self.request_log: deque[dict[str, Any]] = deque(maxlen=self.config.max_log_entries)
            self.request_seq = 0
            self.stats: dict[str, Counter[str]] = {"token": Counter(), "calls": Counter(), "events": Counter()}
            self.limiter = RateLimiter()
            self.faults = FaultBook()

    def configure(self, values: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.config.update(values)
            if self.request_log.maxlen != self.config.max_log_entries:
                self.request_log = deque(self.request_log, maxlen=self.config.max_log_entries)
            return self.config.as_dict()

    def now(self) -> float:
        """The sandbox clock: wall time shifted by ``clock_offset_seconds`` (time travel for tests)."""
        base = self.config.clock_frozen_at if self.config.clock_frozen_at is not None else time.time()
        return base + self.config.clock_offset_seconds

    def count(self, group: str, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[group][key] += n

    def stats_snapshot(self) -> dict[str, Any]:
        with self.lock:
            snapshot: dict[str, Any] = {group: dict(counter) for group, counter in self.stats.items()}
            snapshot["invoices"] = {b.business_id: len(b.invoices) for b in self.businesses.values()}
            snapshot["customers"] = {b.business_id: len(b.customers) for b in self.businesses.values()}
            snapshot["max_calls_in_one_second"] = dict(self.limiter.max_seen_per_second)
            return snapshot
