"""Job numbers stay unique and gap-free per tenant when many requests create jobs at once.

Real threads, each with its own PostgreSQL connection and transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from bookings.models import Booking
from bookings.services import booking_create
from customers.models import Customer
from tenancy.models import Tenant
from tests.jobs.helpers import make_customer, make_tenant
from warehouse.models import WarehouseJob
from warehouse.services import warehouse_job_create

THREADS = 8
PER_THREAD = 5


def _run_in_threads(work: Callable[[int], None]) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_unique_sequential_numbers() -> None:
    tenant_a: Tenant = make_tenant(slug="race-a")
    tenant_b: Tenant = make_tenant(slug="race-b")
    customers: dict[int, Customer] = {
        tenant_a.pk: make_customer(tenant=tenant_a),
        tenant_b.pk: make_customer(tenant=tenant_b),
    }

    def work(index: int) -> None:
        tenant = tenant_a if index % 2 == 0 else tenant_b
        for n in range(PER_THREAD):
            with transaction.atomic():
                booking_create(tenant=tenant, customer=customers[tenant.pk], customer_reference=f"T{index}-{n}")
                if n % 2 == 0:
                    warehouse_job_create(tenant=tenant, customer=customers[tenant.pk])

    assert _run_in_threads(work) == []

    per_tenant_bookings = THREADS // 2 * PER_THREAD
    per_tenant_warehouse = THREADS // 2 * len(range(0, PER_THREAD, 2))
    for tenant in (tenant_a, tenant_b):
        bookings = sorted(Booking.objects.filter(tenant=tenant).values_list("number", flat=True))
        assert bookings == [f"B{i:06d}" for i in range(1, per_tenant_bookings + 1)]
        warehouse = sorted(WarehouseJob.objects.filter(tenant=tenant).values_list("number", flat=True))
        assert warehouse == [f"W{i:06d}" for i in range(1, per_tenant_warehouse + 1)]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_create_gives_its_number_back() -> None:
    tenant: Tenant = make_tenant(slug="race-rollback")
    customer = make_customer(tenant=tenant)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        booking_create(tenant=tenant, customer=customer)
        raise Abort
    assert booking_create(tenant=tenant, customer=customer).number == "B000001"
