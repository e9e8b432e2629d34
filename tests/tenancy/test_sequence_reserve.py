"""Reserving a block of numbers in one statement: no overlap, no gap, rollback gives the block back.

Real threads, each with its own PostgreSQL connection and transaction.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tenancy.models import Sequence
from tenancy.services import sequence_next, sequence_reserve
from tests.factories import TenantFactory

THREADS = 6


@pytest.mark.django_db
def test_reserve_returns_consecutive_block_after_next() -> None:
    tenant = TenantFactory.create(slug="seq-block")
    assert sequence_reserve(tenant=tenant, name="invoice", count=3) == range(1, 4)
    assert sequence_next(tenant=tenant, name="invoice") == 4
    with CaptureQueriesContext(connection) as queries:
        block = sequence_reserve(tenant=tenant, name="invoice", count=10_000)
    assert block == range(5, 10_005)
    assert len(queries) == 1
    assert sequence_reserve(tenant=tenant, name="invoice", count=0) == range(0)
    assert Sequence.objects.get(tenant=tenant, name="invoice").last_value == 10_004


@pytest.mark.django_db
def test_reserve_rejects_negative_count() -> None:
    tenant = TenantFactory.create(slug="seq-negative")
    with pytest.raises(ValueError):
        sequence_reserve(tenant=tenant, name="invoice", count=-1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_overlap_and_leave_no_gap() -> None:
    tenant = TenantFactory.create(slug="seq-race")
    barrier = threading.Barrier(THREADS)
    blocks: list[range] = []
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            for size in (index + 1, 7):
                with transaction.atomic():
                    blocks.append(sequence_reserve(tenant=tenant, name="booking", count=size))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    values = sorted(v for block in blocks for v in block)
    assert values == list(range(1, len(values) + 1))


@pytest.mark.django_db(transaction=True)
def test_rolled_back_reservation_gives_its_block_back() -> None:
    tenant = TenantFactory.create(slug="seq-rollback")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        sequence_reserve(tenant=tenant, name="invoice", count=50)
        raise Abort
    assert sequence_reserve(tenant=tenant, name="invoice", count=2) == range(1, 3)
