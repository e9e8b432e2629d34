"""Customer portal benchmark (not a test): SQL queries and time of the portal's pages as one
customer's jobs grow to 10,000.

    python bench/portal_bench.py [--jobs 10000]      (or: make bench-portal)

Uses a throw-away database (``bench_<name>`` of ``DATABASE_URL``, or the embedded PostgreSQL).
One customer gets bookings and warehouse jobs (imports and exports, open and completed), each
with three status events and a note; a sibling customer gets as many again. At each size the
portal's home, search, completed filter, job page, invoices list and the staff booking list are
requested as the customer (or staff) through Django's test client, and the number of SQL queries
and the median wall time of five requests are printed. The query counts must not grow with the
number of jobs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _grow(tenant: Any, customer: Any, user: Any, target: int, have: int) -> None:
    """Add jobs until ``customer`` has ``target`` (80% bookings), with events and notes."""
    import random

    from bookings.models import Booking
    from jobs.refs import job_link
    from notes.models import Note
    from tenancy.services import number_format, sequence_reserve
    from tracking.models import StatusEvent
    from warehouse.models import WarehouseJob

    rng = random.Random(target)
    count = target - have
    statuses = ["booked", "in_transit", "delivered", "completed", "invoiced"]
    made: list[Any] = []
    kinds: tuple[tuple[Any, float], ...] = ((Booking, 0.8), (WarehouseJob, 0.2))
    for model, share in kinds:
        n = int(count * share)
        numbers = sequence_reserve(tenant=tenant, name=model.SEQUENCE_NAME, count=n)
        rows = [
            model(
                tenant=tenant,
                customer=customer,
                number=number_format(prefix=model.NUMBER_PREFIX, value=v),
                customer_reference=f"PO-{rng.randint(10000, 99999)}",
                container_number=f"MSKU{rng.randint(1000000, 9999999)}",
                direction=rng.choice(["import", "export"]),
                status=rng.choice(statuses if model is Booking else ["booked", "in_progress", "completed"]),
            )
            for v in numbers
        ]
        made += model._default_manager.bulk_create(rows, batch_size=2000)
    events = [
        StatusEvent(tenant=tenant, code=code, location="Port Botany", **job_link(job))
        for job in made
        for code in ("booked", "picked_up", "in_transit")
    ]
    StatusEvent.objects.bulk_create(events, batch_size=5000)
    notes = [
        Note(tenant=tenant, author=user, author_name="Buyer", from_customer=True, body="ETA?", **job_link(job))
        for job in made
    ]
    Note.objects.bulk_create(notes, batch_size=5000)


def _measure(client: Any, url: str, repeat: int = 5) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The query log is a bounded deque (9,000): after the bulk inserts it is full, and counting by
    # its length would read 0. Start from an empty log.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return len(ctx.captured_queries), statistics.median(times)


def _bench(sizes: list[int]) -> list[tuple[int, dict[str, tuple[int, float]]]]:
    from django.test import Client
    from django.urls import reverse

    from bookings.models import Booking
    from invoicing.models import Invoice
    from tenancy.models import Role
    from tests.factories import CustomerFactory, TenantFactory, UserFactory

    tenant: Any = TenantFactory(slug="bench-portal")
    customer: Any = CustomerFactory(tenant=tenant, name="Bench Customer")
    sibling: Any = CustomerFactory(tenant=tenant, name="Sibling Customer")
    user: Any = UserFactory(tenant=tenant, role=Role.CUSTOMER, customer=customer, email="c@bench.example")
    staff: Any = UserFactory(tenant=tenant, role=Role.OPERATIONS, email="ops@bench.example")
    for n in range(30):
        Invoice.objects.create(tenant=tenant, customer=customer, number=f"INV{n:06d}", due_date="2027-01-31",
                               currency="AUD", status="exported")  # fmt: skip
    client, staff_client = Client(), Client()
    client.force_login(user)
    staff_client.force_login(staff)
    results = []
    have = 0
    for size in sizes:
        _grow(tenant, customer, user, size, have)
        _grow(tenant, sibling, user, size, have)
        have = size
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        job = Booking.objects.filter(customer=customer).order_by("id").first()
        assert job is not None
        pages = {
            "portal home": reverse("portal:home"),
            "search by reference": reverse("portal:jobs") + "?q=PO-1",
            "completed jobs": reverse("portal:jobs") + "?done=1&page=3",
            "job page": reverse("portal:booking", args=[job.pk]),
            "invoices": reverse("portal:invoices"),
        }
        row = {name: _measure(client, url) for name, url in pages.items()}
        row["staff booking list"] = _measure(staff_client, reverse("bookings:list"))
        results.append((size, row))
    return results


def _print(results: list[tuple[int, dict[str, tuple[int, float]]]]) -> None:
    names = list(results[0][1])
    print(f"{'page':<22}" + "".join(f"{f'{size:,} jobs':>22}" for size, _ in results))
    print(f"{'':<22}" + "".join(f"{'queries     ms':>22}" for _ in results))
    for name in names:
        cells = "".join(f"{row[name][0]:>14}{row[name][1]:>8.1f}" for _size, row in results)
        print(f"{name:<22}{cells}")
    constant = all(len({row[name][0] for _s, row in results}) == 1 for name in names)
    print(f"\nqueries constant as jobs grow: {'yes' if constant else 'NO'}")
    if not constant:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs of the customer at the largest size")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "freighttracker.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_portal_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        sizes = sorted({max(10, args.jobs // 100), max(10, args.jobs // 10), args.jobs})
        results = _bench(sizes)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    _print(results)


if __name__ == "__main__":
    main()
