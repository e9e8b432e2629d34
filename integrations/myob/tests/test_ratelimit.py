"""The MYOB limiter on real Redis: never more than 8 grants in any window, shared by threads and tenants."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from integrations.myob.errors import MyobWait
from integrations.myob.ratelimit import ApiKeyRateLimiter, RateLimiterTimeout
from sandboxes.myob.pytest_plugin import MyobSandboxHandle

from .conftest import make_client


@pytest.fixture
def redis_client() -> Iterator[Any]:
    url = os.environ.get("REDIS_URL")
    assert url, "make test starts a private Redis and sets REDIS_URL"
    client = redis.Redis.from_url(url)
    client.ping()
    yield client
    client.close()


def _limiter(redis_client: Any, **kw: Any) -> ApiKeyRateLimiter:
    limiter = ApiKeyRateLimiter(redis=redis_client, api_key=f"key-{uuid.uuid4()}", prefix="test:myob:rate", **kw)
    return limiter


def _max_in_window(times_ms: list[int], window_ms: int) -> int:
    """The most grants within any half-open window (t - window_ms, t]: how MYOB counts a second."""
    times = sorted(times_ms)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window_ms:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_grants_up_to_the_limit_then_says_how_long_to_wait(redis_client: Any) -> None:
    limiter = _limiter(redis_client, calls=3, window_seconds=0.5)
    assert [limiter.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.try_acquire()
    assert 0 < wait <= 0.5
    limiter.acquire(timeout=5)  # sleeps out the window, then is granted
    assert limiter.last_granted_at_ms is not None


def test_penalise_holds_every_caller_of_the_key(redis_client: Any) -> None:
    limiter = _limiter(redis_client)
    limiter.penalise(2.0)
    assert 1.5 < limiter.try_acquire() <= 2.0
    with pytest.raises(RateLimiterTimeout):
        limiter.acquire(timeout=0.2)


def test_threads_never_get_more_than_eight_grants_in_any_second_of_redis_time(redis_client: Any) -> None:
    key = f"key-{uuid.uuid4()}"
    grants: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        limiter = ApiKeyRateLimiter(redis=redis_client, api_key=key, prefix="test:myob:rate", window_seconds=1.0)
        for _ in range(6):
            limiter.acquire(timeout=30)
            with lock:
                grants.append(limiter.last_granted_at_ms or 0)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(grants) == 24
    assert _max_in_window(grants, 1000) == 8  # full use of the allowance, never more


def test_max_in_window_counts_like_myob() -> None:
    assert _max_in_window([0, 999, 1000], 1000) == 2
    assert _max_in_window([0, 1, 2], 1000) == 3


def test_two_tenants_sharing_the_api_key_stay_under_myobs_limit(
    myob_sandbox: MyobSandboxHandle, redis_client: Any
) -> None:
    """Two company files (two tenants), one API key, one limiter: MYOB never answers RateLimitError."""
    myob_sandbox.control.config(rate_limits_enabled=True)
    limiter_key = f"test-{uuid.uuid4()}"  # the sandbox's key is shared by every test; the Redis key is not
    errors: list[BaseException] = []

    def tenant(business_id: str) -> None:
        limiter = ApiKeyRateLimiter(
            redis=redis_client, api_key=limiter_key, prefix="test:myob:rate", window_seconds=1.5
        )  # margin for a loaded test machine
        client, _ = make_client(myob_sandbox, business_id=business_id)
        client._before_call = lambda: limiter.acquire(timeout=30)
        try:
            for _ in range(12):
                client.tax_codes_list()
        except (MyobWait, RateLimiterTimeout) as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=tenant, args=(b,)) for b in (myob_sandbox.business_id, myob_sandbox.legacy_business_id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    stats = myob_sandbox.control.stats()
    assert stats["calls"] and stats["events"].get("rate_limited", 0) == 0
    assert sum(n for k, n in stats["calls"].items() if "/GeneralLedger/TaxCode" in k) == 24
