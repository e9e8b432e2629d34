"""The per-organisation limiter, on Redis and on the PostgreSQL fallback, with a fake clock."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import override_settings

from integrations.xero.export import limiter
from integrations.xero.export.limiter import limiter_acquire, limiter_block, limiter_release
from integrations.xero.tests.export_worker import EXPORT_REDIS_URL

# The export tests' Redis db (5), on the server REDIS_URL names (``make test`` may start an embedded one).
REDIS_URL = EXPORT_REDIS_URL
# export_worker flushes db 5: never run beside those tests in another xdist process.
pytestmark = pytest.mark.xdist_group("redis-db5")


@pytest.fixture(params=["redis", "postgres"])
def backend(request, db):
    with override_settings(REDIS_URL=REDIS_URL if request.param == "redis" else ""):
        yield request.param


@pytest.fixture
def org():
    return str(uuid.uuid4())


def _take(org, n, now):
    return [limiter_acquire(org=org, now=now) for _ in range(n)]


def test_window_allows_55_calls_a_minute_then_says_how_long_to_wait(backend, org):
    t0 = 1_000_000.0
    for i in range(55):
        s = limiter_acquire(org=org, now=t0 + i * 0.1)
        assert s.granted, i
        limiter_release(org=org, slot=s)
    denied = limiter_acquire(org=org, now=t0 + 10)
    assert not denied.granted
    assert 49 <= denied.wait_seconds <= 51  # the oldest call (t0) leaves the window at t0 + 60
    assert limiter_acquire(org=org, now=t0 + 60.05).granted


def test_at_most_five_calls_in_flight(backend, org):
    t0 = 2_000_000.0
    slots = _take(org, 5, t0)
    assert all(s.granted for s in slots)
    busy = limiter_acquire(org=org, now=t0 + 0.01)
    assert not busy.granted and busy.wait_seconds <= 1
    limiter_release(org=org, slot=slots[0])
    assert limiter_acquire(org=org, now=t0 + 0.02).granted


def test_a_dead_workers_slot_expires_with_its_lease(backend, org):
    t0 = 3_000_000.0
    _take(org, 5, t0)  # never released
    assert limiter_acquire(org=org, now=t0 + limiter.LEASE_SECONDS + 1).granted


def test_block_after_429_stops_everyone_for_retry_after(backend, org):
    import time

    limiter_block(org=org, seconds=30)
    s = limiter_acquire(org=org, now=time.time())
    assert not s.granted and 25 <= s.wait_seconds <= 30.5


def test_organisations_are_independent(backend, org):
    t0 = 4_000_000.0
    _take(org, 5, t0)
    assert limiter_acquire(org=str(uuid.uuid4()), now=t0).granted


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("use_redis", [True, False])
def test_concurrent_workers_never_exceed_the_window(use_redis, org):
    """20 threads race for 100 slots at one instant: exactly 55 are granted."""
    granted: list[bool] = []
    lock = threading.Lock()
    now = 5_000_000.0

    def work():
        try:
            for _ in range(5):
                s = limiter_acquire(org=org, now=now)
                if s.granted:
                    limiter_release(org=org, slot=s)
                with lock:
                    granted.append(s.granted)
        finally:
            connection.close()

    # Only the minute window is under test here (the in-flight cap is raced below).
    with override_settings(REDIS_URL=REDIS_URL if use_redis else "", XERO_EXPORT_CONCURRENCY=1000):
        threads = [threading.Thread(target=work) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(granted) == 55


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("use_redis", [True, False])
def test_concurrent_workers_never_hold_more_than_five_slots(use_redis, org):
    """20 threads each take a slot and keep it: exactly 5 get one."""
    granted: list[bool] = []
    lock = threading.Lock()
    now = 6_000_000.0

    def work():
        try:
            s = limiter_acquire(org=org, now=now)
            with lock:
                granted.append(s.granted)
        finally:
            connection.close()

    with override_settings(REDIS_URL=REDIS_URL if use_redis else ""):
        threads = [threading.Thread(target=work) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(granted) == 5
