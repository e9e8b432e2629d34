"""In-memory state of the sandbox: configuration, organisations, grants and tokens, logs, counters.

One ``SandboxState`` per server, guarded by one re-entrant lock; handlers take ``state.lock`` for
every read-modify-write so concurrent HTTP threads see a consistent Xero.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

from . import seed
from .limits import FaultBook, RateLimiter
from .webhooks import WebhookHub


@dataclass
class SandboxConfig:
    """Switches a test (or the control API) may flip. Defaults behave like real Xero."""

    auto_approve: bool = False
    approve_org_ids: list[str] | None = None  # None = every organisation
    client_id: str | None = None  # None = accept any client
    client_secret: str | None = None
    rate_limits_enabled: bool = True
    minute_limit: int = 60
    concurrent_limit: int = 5
    day_limit: int = 5000
    app_minute_limit: int = 10000
    clock_offset_seconds: float = 0.0
    latency_seconds: float = 0.0  # artificial processing time per accounting call
    reject_invoice_number_regex: str | None = None  # matching invoices fail validation (tests of failures)
    max_body_bytes: int = 3_500_000  # Xero's published request size ceiling -> 413
    access_token_ttl: int = 1800
    refresh_grace_seconds: int = 1800
    refresh_token_ttl: int = 60 * 24 * 3600
    code_ttl: int = 300
    log_bodies: bool = True
    max_log_entries: int = 20000

    def update(self, values: dict[str, Any]) -> None:
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        for key, value in values.items():
            current = getattr(self, key)
            if isinstance(current, bool) and not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
            if key == "reject_invoice_number_regex" and value is not None:
                re.compile(value)  # fail here, not inside the next PUT
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OrgState:
    org_id: str
    name: str
    organisation: dict[str, Any]
    accounts: list[dict[str, Any]]
    tax_rates: list[dict[str, Any]]
    tracking: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    currency: str
    currencies: list[dict[str, Any]] = field(default_factory=list)  # enabled: [{Code, Description}]
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # ContactID -> record
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)  # InvoiceID -> record
    invoice_numbers: dict[str, str] = field(default_factory=dict)  # lower(number) -> InvoiceID (ACCREC)
    invoice_seq: int = 0

    def tax_rate(self, tax_type: str) -> Decimal | None:
        for rate in self.tax_rates:
            if rate["TaxType"] == tax_type and rate["Status"] == "ACTIVE":
                return Decimal(str(rate["EffectiveRate"]))
        return None

    def currency_enabled(self, code: str) -> bool:
        return code == self.currency or any(c["Code"] == code for c in self.currencies)

    def account(self, code: str) -> dict[str, Any] | None:
        for account in self.accounts:
            if account["Code"] == code and account["Status"] == "ACTIVE":
                return account
        return None


@dataclass
class Grant:
    """One consent: the organisations a user allowed for a client; its tokens share its fate."""

    grant_id: str
    client_id: str
    scope: str
    auth_event_id: str
    user_id: str
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)  # connection id -> {org_id, created}
    revoked: bool = False

    def org_ids(self) -> set[str]:
        return {c["org_id"] for c in self.connections.values()}


@dataclass
class AccessToken:
    token: str
    grant_id: str
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    grant_id: str
    issued_at: float
    spent_at: float | None = None


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    org_ids: list[str]
    expires_at: float
    nonce: str | None = None
    used: bool = False


class SandboxState:
    def __init__(self, **config_overrides: Any) -> None:
        self.lock = threading.RLock()
        self._baseline = dict(config_overrides)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.config = SandboxConfig()
            self.config.update(self._baseline)
            self.orgs: dict[str, OrgState] = {}
            for org_seed in seed.ORG_SEEDS:
                self.orgs[org_seed.org_id] = OrgState(
                    org_id=org_seed.org_id,
                    name=org_seed.name,
                    organisation=seed.organisation_record(org_seed),
                    accounts=seed.accounts(org_seed),
                    tax_rates=seed.tax_rates(org_seed),
                    tracking=seed.tracking_categories(org_seed),
                    themes=seed.branding_themes(org_seed),
                    currency=org_seed.currency,
                    currencies=seed.currencies(org_seed),
                )
            self.grants: dict[str, Grant] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.codes: dict[str, AuthCode] = {}
            self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}
            self.idempotency_pending: dict[tuple[str, str], threading.Event] = {}
            self.request_log: deque[dict[str, Any]] = deque(maxlen=self.config.max_log_entries)
            self.request_seq = 0
            self.stats: dict[str, Counter[str]] = {"token": Counter(), "calls": Counter(), "events": Counter()}
            self.limiter = RateLimiter()
            self.faults = FaultBook()
            self.webhooks = WebhookHub()

    def configure(self, values: dict[str, Any]) -> dict[str, Any]:
        """Change config keys; a new ``max_log_entries`` resizes the request log at once."""
        with self.lock:
            self.config.update(values)
            if self.request_log.maxlen != self.config.max_log_entries:
                self.request_log = deque(self.request_log, maxlen=self.config.max_log_entries)
            return self.config.as_dict()

    def now(self) -> float:
        """The sandbox clock: wall time shifted by ``clock_offset_seconds`` (time travel for tests)."""
        return time.time() + self.config.clock_offset_seconds

    def org_list(self) -> list[OrgState]:
        return list(self.orgs.values())

    def count(self, group: str, key: str, n: int = 1) -> None:
        with self.lock:
            self.stats[group][key] += n

    def stats_snapshot(self) -> dict[str, Any]:
        with self.lock:
            snapshot: dict[str, Any] = {group: dict(counter) for group, counter in self.stats.items()}
            snapshot["token_calls_total"] = sum(self.stats["token"].values())
            snapshot["api_calls_total"] = sum(
                n for key, n in self.stats["calls"].items() if " /api.xro/" in key.lower()
            )
            snapshot["invoices"] = {org.org_id: len(org.invoices) for org in self.orgs.values()}
            snapshot["contacts"] = {org.org_id: len(org.contacts) for org in self.orgs.values()}
            return snapshot
