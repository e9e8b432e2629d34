"""One limiter for MYOB's rate limit, shared by every worker and every tenant (Redis).

Design note
-----------
MYOB allows **8 calls a second per API key** (and 1,000,000 a day), and the API key is the product's,
not the tenant's: every tenant's exports, look-ups and token-independent calls draw on the same 8/s.
A per-organisation limiter like Xero's cannot keep that promise, so MYOB calls go through one
**sliding-window log in Redis keyed by the API key** (its SHA-256, never the key itself):

- a Lua script, atomic on the Redis server, drops grants older than the window, admits the call when
  fewer than ``calls`` remain, else answers how long until the oldest grant leaves the window; it reads
  Redis's own clock (``TIME``), so workers on different machines share one clock;
- a sliding window rather than a token bucket: a bucket of 8 refilled at 8/s admits 16 calls within
  about one second (a full bucket, then the refill), which MYOB would refuse. A window never admits more
  than ``calls`` within any ``window`` seconds of Redis time;
- MYOB counts arrivals, we count grants, and the network delay between the two varies. The default
  window is therefore **1.2 s for 8 calls** (6.7 calls/s): two grants 8 apart are at least 1.2 s apart,
  so MYOB would see more than 8 in one second only if one call's delay exceeded another's by 200 ms;
- when MYOB still answers ``RateLimitError`` (403, or 429) the caller reports it with :meth:`penalise`:
  every worker then waits out the block before its next call (the key may also be used elsewhere);
- the ceiling this sets: MYOB has no batch create, so an invoice costs one POST (plus a look-up only
  after an uncertain answer, and customer calls the first time): **all tenants together export at most
  about 6.7 invoices a second, 24,000 an hour**, however many workers run. Fairness between tenants
  (one tenant's 10,000-invoice run must not starve another's 5) is the core's job: it decides who asks;
- the daily 1,000,000 is far beyond an export's needs (one call per invoice plus look-ups) and is only
  observed through MYOB's ``daily rate limit`` message, which ``errors.py`` turns into a one-hour wait.

The export core (issue 10) owns when to call: one :meth:`ApiKeyRateLimiter.acquire` before every HTTP
request, which ``MyobClient(before_call=...)`` makes automatic.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

MYOB_CALLS = 8  # MYOB's documented per-second allowance per API key
DEFAULT_WINDOW_SECONDS = 1.2  # 1 s plus a 200 ms margin for uneven network delay

# KEYS: window zset, block key. ARGV: calls, window ms, member. Returns {wait_ms, granted_at_ms}.
_ACQUIRE_LUA = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {blocked, now} end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {0, now}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {math.max(tonumber(oldest[2]) + window - now, 1), now}
"""


class RateLimiterTimeout(TimeoutError):
    """No slot within the caller's patience; nothing was sent."""


class ApiKeyRateLimiter:
    """``acquire()`` before each MYOB call; ``penalise(seconds)`` after MYOB said RateLimitError."""

    def __init__(
        self,
        *,
        redis: Any,
        api_key: str,
        calls: int = MYOB_CALLS,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        prefix: str = "myob:rate",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls < 1 or window_seconds <= 0:
            raise ValueError("calls must be at least 1 and window_seconds positive")
        digest = hashlib.sha256(api_key.encode()).hexdigest()[:24]
        self._keys = [f"{prefix}:{digest}:window", f"{prefix}:{digest}:block"]
        self._redis = redis
        self._script = redis.register_script(_ACQUIRE_LUA)
        self.calls = calls
        self.window_ms = int(window_seconds * 1000)
        self._sleep = sleep
        self.last_granted_at_ms: int | None = None  # Redis time of this instance's latest grant

    def try_acquire(self) -> float:
        """0.0 when a call may go now (and it is counted), else the seconds to wait first."""
        wait_ms, now_ms = self._script(keys=self._keys, args=[self.calls, self.window_ms, uuid.uuid4().hex])
        if int(wait_ms) == 0:
            self.last_granted_at_ms = int(now_ms)
            return 0.0
        return int(wait_ms) / 1000

    def acquire(self, *, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            wait = self.try_acquire()
            if wait == 0.0:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RateLimiterTimeout(f"no MYOB call slot within {timeout:.0f} s")
            self._sleep(min(wait, remaining))

    def penalise(self, seconds: float) -> None:
        """Hold every caller of this API key back for ``seconds`` (MYOB answered RateLimitError)."""
        self._redis.set(self._keys[1], "1", px=max(int(seconds * 1000), 1))

    def reset(self) -> None:
        self._redis.delete(*self._keys)
