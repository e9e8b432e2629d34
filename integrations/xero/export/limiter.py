"""One rate limiter per Xero organisation, shared by every worker.

Xero allows 60 calls a minute and 5 concurrent calls per organisation. We keep a sliding window
of :data:`MINUTE_LIMIT` (55, leaving headroom for the settings page and clock skew) and a
semaphore of :data:`CONCURRENCY_LIMIT` with a lease, so a killed worker cannot hold a slot forever.
A 429 from Xero blocks the organisation for ``Retry-After`` seconds for everyone.

:func:`limiter_acquire` never sleeps: it answers "go" (with a token to release) or "wait N
seconds", and the caller reschedules its Celery task with that countdown.

Redis (``settings.REDIS_URL``) holds the state in production — one Lua script, atomic. Without
Redis a PostgreSQL row per organisation (``XeroRateLimitState``) locked ``FOR UPDATE`` does the
same job.

The limiter is bookkeeping, never a reason to fail or to lose Xero's answer: when Redis cannot be
reached, :func:`limiter_acquire` says "wait :data:`OUTAGE_WAIT_SECONDS`" (no call is made without a
slot, so Xero's limits hold), and :func:`limiter_release` / :func:`limiter_block` log and return
(a slot not given back expires with its lease).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction

from integrations.xero.models import XeroRateLimitState

logger = logging.getLogger(__name__)

MINUTE_LIMIT = 55
WINDOW_SECONDS = 60.0
CONCURRENCY_LIMIT = 5


def _limits() -> tuple[int, int]:
    """(calls a minute, concurrent calls); settings may lower them, or raise them for the benchmark."""
    return (
        int(getattr(settings, "XERO_EXPORT_MINUTE_LIMIT", MINUTE_LIMIT)),
        int(getattr(settings, "XERO_EXPORT_CONCURRENCY", CONCURRENCY_LIMIT)),
    )


LEASE_SECONDS = 120.0  # longer than the HTTP timeout: a slot outlives its call only if the worker died
BUSY_RETRY_SECONDS = 0.5  # all 5 concurrent slots taken: try again soon
OUTAGE_WAIT_SECONDS = 5.0  # Redis unreachable: wait and ask again


@dataclass(frozen=True)
class Slot:
    granted: bool
    token: str = ""
    wait_seconds: float = 0.0


_ACQUIRE_LUA = """
local window_key, inflight_key, block_key = KEYS[1], KEYS[2], KEYS[3]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local conc = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local token = ARGV[6]
local busy = tonumber(ARGV[7])
local blocked = redis.call('PTTL', block_key)
if blocked > 0 then return {0, blocked} end
redis.call('ZREMRANGEBYSCORE', window_key, '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', inflight_key, '-inf', now)
if redis.call('ZCARD', window_key) >= limit then
  local oldest = redis.call('ZRANGE', window_key, 0, 0, 'WITHSCORES')
  return {0, math.max(tonumber(oldest[2]) + window - now, 1)}
end
if redis.call('ZCARD', inflight_key) >= conc then return {0, busy} end
redis.call('ZADD', window_key, now, token)
redis.call('ZADD', inflight_key, now + lease, token)
redis.call('PEXPIRE', window_key, window)
redis.call('PEXPIRE', inflight_key, lease)
return {1, 0}
"""


def _redis() -> Any:
    return _redis_for(settings.REDIS_URL)


@cache
def _redis_for(url: str) -> Any:
    import redis

    # Short socket timeouts: an unreachable Redis must turn into "wait", not a hung worker.
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


def _keys(org: str) -> list[str]:
    base = f"xero:rl:{org}"
    return [f"{base}:window", f"{base}:inflight", f"{base}:block"]


def _use_redis() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def limiter_acquire(*, org: str, now: float | None = None) -> Slot:
    """Take one call slot for organisation ``org`` (Xero tenant id), or say how long to wait."""
    token = uuid.uuid4().hex
    if _use_redis():
        try:
            return _redis_acquire(org=org, token=token, now=now)
        except _redis_errors() as exc:
            logger.warning("Xero rate limiter unavailable (%r); waiting %ss", exc, OUTAGE_WAIT_SECONDS)
            return Slot(granted=False, wait_seconds=OUTAGE_WAIT_SECONDS)
    return _pg_acquire(org=org, token=token, now=now if now is not None else time.time())


def _redis_acquire(*, org: str, token: str, now: float | None) -> Slot:
    now_ms = int((now if now is not None else time.time()) * 1000)
    script = _redis().register_script(_ACQUIRE_LUA)
    minute_limit, concurrency = _limits()
    ok, wait_ms = script(
        keys=_keys(org),
        args=[
            now_ms,
            int(WINDOW_SECONDS * 1000),
            minute_limit,
            concurrency,
            int(LEASE_SECONDS * 1000),
            token,
            int(BUSY_RETRY_SECONDS * 1000),
        ],
    )
    return Slot(granted=True, token=token) if ok else Slot(granted=False, wait_seconds=int(wait_ms) / 1000)


def limiter_release(*, org: str, slot: Slot) -> None:
    """Give back the concurrency slot (the minute window keeps counting the call)."""
    if not slot.granted:
        return
    if _use_redis():
        try:
            _redis().zrem(_keys(org)[1], slot.token)
        except _redis_errors() as exc:  # the slot expires with its lease
            logger.warning("Xero rate limiter unavailable (%r); slot left to expire", exc)
        return
    with transaction.atomic():
        state = XeroRateLimitState.objects.select_for_update().filter(xero_tenant_id=org).first()
        if state is not None and state.inflight.pop(slot.token, None) is not None:
            state.save(update_fields=["inflight"])


def limiter_block(*, org: str, seconds: float, now: float | None = None) -> None:
    """Xero said 429: nobody calls this organisation for ``seconds``."""
    seconds = max(float(seconds), 1.0)
    if _use_redis():
        try:
            _redis().set(_keys(org)[2], "1", px=int(seconds * 1000))
        except _redis_errors() as exc:  # the caller waits Retry-After anyway (RateLimited)
            logger.warning("Xero rate limiter unavailable (%r); block of %ss not shared", exc, seconds)
        return
    until = (now if now is not None else time.time()) + seconds
    with transaction.atomic():
        state, _ = XeroRateLimitState.objects.select_for_update().get_or_create(xero_tenant_id=org)
        state.blocked_until = max(state.blocked_until, until)
        state.save(update_fields=["blocked_until"])


def limiter_reset(*, org: str) -> None:
    """Forget everything about ``org`` (tests, benchmark)."""
    if _use_redis():
        _redis().delete(*_keys(org))
    XeroRateLimitState.objects.filter(xero_tenant_id=org).delete()


def _pg_acquire(*, org: str, token: str, now: float) -> Slot:
    with transaction.atomic():
        XeroRateLimitState.objects.get_or_create(xero_tenant_id=org)
        state = XeroRateLimitState.objects.select_for_update().get(xero_tenant_id=org)
        if state.blocked_until > now:
            return Slot(granted=False, wait_seconds=state.blocked_until - now)
        calls = [t for t in state.calls if t > now - WINDOW_SECONDS]
        inflight = {k: v for k, v in state.inflight.items() if v > now}
        minute_limit, concurrency = _limits()
        if len(calls) >= minute_limit:
            wait = max(min(calls) + WINDOW_SECONDS - now, 1.0)
            slot = Slot(granted=False, wait_seconds=wait)
        elif len(inflight) >= concurrency:
            slot = Slot(granted=False, wait_seconds=BUSY_RETRY_SECONDS)
        else:
            calls.append(now)
            inflight[token] = now + LEASE_SECONDS
            slot = Slot(granted=True, token=token)
        state.calls, state.inflight = calls, inflight
        state.save(update_fields=["calls", "inflight"])
        return slot
