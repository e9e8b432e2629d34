"""Real concurrency on PostgreSQL: racing requests never invoice a job twice, numbers stay unique."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from bookings.models import Booking
from customers.models import Customer
from invoicing.models import Invoice, InvoiceJob
from invoicing.services import invoice_raise_for_jobs, invoices_raise
from tenancy.models import Tenant
from tests.invoicing.conftest import booking_with_charges

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(n: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Start ``n`` threads that call ``work(i)`` at the same moment; collect results and errors."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as exc:  # collected, asserted on by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def test_racing_raises_for_the_same_job_invoice_it_exactly_once_without_errors(
    per_job_customer: Customer, tenant: Tenant
) -> None:
    for _ in range(5):  # several rounds: each round is a fresh race
        booking = booking_with_charges(per_job_customer, ("1", "10", "GST"))

        def raise_it(_i: int, job: Booking = booking) -> list[Invoice]:
            return invoice_raise_for_jobs(tenant=tenant, jobs=[job])

        results, errors = run_together(6, raise_it)

        assert errors == []
        assert sorted(len(r) for r in results) == [0, 0, 0, 0, 0, 1]
        assert InvoiceJob.objects.filter(booking=booking).count() == 1


def test_racing_consolidated_raises_produce_one_invoice_covering_each_job_once(
    consolidated_customer: Customer, tenant: Tenant
) -> None:
    bookings = [booking_with_charges(consolidated_customer, ("1", "10", "GST")) for _ in range(10)]

    results, errors = run_together(4, lambda _i: invoices_raise(tenant=tenant, customer=consolidated_customer))

    assert errors == []
    covered = list(InvoiceJob.objects.values_list("booking_id", flat=True))
    assert sorted(covered) == sorted(b.pk for b in bookings)  # every job once, none twice
    assert sum(len(r) for r in results) == Invoice.objects.count() >= 1


def test_invoice_numbers_stay_unique_and_gapless_when_raised_concurrently(
    per_job_customer: Customer, tenant: Tenant
) -> None:
    bookings = [booking_with_charges(per_job_customer, ("1", "10", "GST")) for _ in range(8)]

    results, errors = run_together(8, lambda i: invoice_raise_for_jobs(tenant=tenant, jobs=[bookings[i]]))

    assert errors == []
    numbers = sorted(Invoice.objects.filter(tenant=tenant).values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 9)]
    assert sum(len(r) for r in results) == 8
