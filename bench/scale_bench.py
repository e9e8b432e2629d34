"""Scale benchmark (not a test): one tenant with 100,000 bookings, 5,000 warehouse jobs, 2,000
customers and 20,000 invoices; today's shape and the new one side by side in one run (issue 11).

    python bench/scale_bench.py [--repeat 7] [--keep] [--old-raise-jobs N]      (or: make bench-scale)

Prints, for the bookings and warehouse lists (first page, last page, search by customer reference,
search by job number) and for the Raise page: the median server time of a request (in-process
through the whole middleware stack with Django's test client: no network, no browser), the SQL
queries of one request and the size of the page. Then the raise service: 10,000 per-job invoices
and 10,000 jobs on consolidated invoices, the longest single transaction, and the queries that
reporting the raised invoices costs.

"Before" is the code of commit 930ef66 kept in ``bench/before/`` and served under ``/before/``
(``bench/scale_urls.py``); "after" is the product. The database is a throw-away one
(``scalebench_<name>`` beside ``DATABASE_URL``, or in the embedded PostgreSQL); ``--keep`` keeps it
(and its data) for the next run.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(args: argparse.Namespace) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "freighttracker.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # Queries are counted by QueryCounter; DEBUG would also keep every query in memory.
    settings.DEBUG = False
    settings.ROOT_URLCONF = "bench.scale_urls"
    engine: dict[str, Any] = settings.TEMPLATES[0]
    engine["DIRS"] = [*engine["DIRS"], str(ROOT / "bench" / "before" / "templates")]
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"scalebench_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
    return str(old_name)


class QueryCounter:
    """Counts SQL statements (CaptureQueriesContext loses them: each request resets the query log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


def _timed(client: Any, url: str, params: dict[str, str], repeat: int) -> dict[str, float]:
    from django.db import connection

    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        response = client.get(url, params)  # also warms caches
    assert response.status_code == 200, (url, params, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url, params)
        times.append(1000 * (time.perf_counter() - start))
    return {"ms": statistics.median(times), "queries": len(queries), "kib": len(response.content) / 1024}


def _lists(tenant: Any, args: argparse.Namespace) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    from django.test import Client

    from bookings.models import Booking
    from tenancy.models import User
    from warehouse.models import WarehouseJob

    client = Client()
    client.force_login(User.objects.get(tenant=tenant, role="accounts"))
    rows = []
    for label, model, url, before in (
        ("bookings", Booking, "/bookings/", "/before/bookings/"),
        ("warehouse", WarehouseJob, "/warehouse/", "/before/warehouse/"),
    ):
        count = model.objects.filter(tenant=tenant).count()
        middle = model.objects.filter(tenant=tenant).exclude(customer_reference="").order_by("id")[count // 2]
        po = middle.customer_reference.split("-")[1]  # "PO-123456-54321" -> "123456"
        cases = {
            "first page": {},
            "last page": {"page": str(math.ceil(count / 25))},
            f"search reference {po!r}": {"q": po},
            f"search number {middle.number!r}": {"q": middle.number},
        }
        for case, params in cases.items():
            old = _timed(client, before, params, args.repeat)
            new = _timed(client, url, params, args.repeat)
            rows.append((f"{label}: {case}", old, new))
    repeat = max(1, min(args.repeat, 3))
    rows.append(
        ("raise page", _timed(client, "/before/raise/", {}, repeat), _timed(client, "/invoicing/raise/", {}, repeat))
    )
    return rows


def _search_plan(tenant: Any) -> str:
    from django.db import connection

    from bookings.models import Booking
    from jobs.selectors import job_list, job_search

    queryset = job_search(queryset=job_list(tenant=tenant, model=Booking), text="123456", tenant=tenant)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    used = sorted({word for line in plan for word in line.replace("(", " ").split() if word.endswith("_trgm")})
    return ", ".join(used) or "no trigram index (" + plan[0].strip() + ")"


class _Reset:
    """Restores the built data after each raise (and after an interrupted run): invoices beyond the
    seeded ones are deleted and invoiced jobs without an invoice are completed again."""

    def __init__(self, tenant: Any, sizes: Any) -> None:
        from invoicing.models import Invoice

        self.tenant = tenant
        self.sizes = sizes
        last_seeded = Invoice.objects.get(tenant=tenant, number=f"INV-{sizes.invoices:06d}")
        self.floor = last_seeded.pk
        self()

    @property
    def jobs(self) -> int:
        return self.sizes.completed_bookings + self.sizes.completed_warehouse

    def __call__(self) -> None:
        from django.db import connection, transaction

        from tenancy.models import Sequence

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM invoicing_invoiceline WHERE invoice_id > %s", [self.floor])
            cursor.execute("DELETE FROM invoicing_invoicejob WHERE invoice_id > %s", [self.floor])
            cursor.execute("DELETE FROM invoicing_invoice WHERE id > %s", [self.floor])
            for table, column in (("bookings_booking", "booking_id"), ("warehouse_warehousejob", "warehouse_job_id")):
                cursor.execute(
                    f"UPDATE {table} SET status = 'completed' WHERE tenant_id = %s AND status = 'invoiced' "  # noqa: S608
                    f"AND id NOT IN (SELECT {column} FROM invoicing_invoicejob WHERE {column} IS NOT NULL)",
                    [self.tenant.pk],
                )
            Sequence.objects.filter(tenant=self.tenant, name="invoice").update(last_value=self.sizes.invoices)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _raise(tenant: Any, sizes: Any) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.db import connection
    from django.test import RequestFactory

    from bench.before import shapes
    from customers.models import Customer, InvoicingRule
    from invoicing.raising import RaiseSelection, RaiseTally, invoices_raise_chunked
    from invoicing.views import _report_raised

    reset = _Reset(tenant, sizes)
    rows = []
    for rule in (InvoicingRule.PER_JOB, InvoicingRule.CONSOLIDATED):
        Customer.objects.filter(tenant=tenant).update(invoicing_rule=rule)
        tenant.refresh_from_db()
        chunk_seconds: list[float] = []
        mark = [time.perf_counter()]

        def progress(tally: RaiseTally, chunk_seconds: list[float] = chunk_seconds, mark: list[float] = mark) -> None:
            now = time.perf_counter()
            chunk_seconds.append(now - mark[0])
            mark[0] = now

        start = time.perf_counter()
        tally = invoices_raise_chunked(
            tenant=tenant, selection=RaiseSelection(everything=True), mark_ready=True, progress=progress
        )
        new = {"s": time.perf_counter() - start, "invoices": tally.invoices_raised, "longest_tx_s": max(chunk_seconds)}
        from invoicing.models import Invoice

        raised = list(Invoice.objects.filter(pk__in=tally.invoice_ids))
        request = RequestFactory().post("/")
        request._messages = CookieStorage(request)  # type: ignore[attr-defined]
        q_new, q_old = QueryCounter(), QueryCounter()
        with connection.execute_wrapper(q_new):
            _report_raised(request, raised, requested=tally.jobs_total, refused=False)
        with connection.execute_wrapper(q_old):
            shapes.report_raised_queries(raised)
        reset()

        start = time.perf_counter()
        old_invoices = shapes.invoices_raise(tenant=tenant, mark_ready=True)
        old_s = time.perf_counter() - start
        old = {"s": old_s, "invoices": len(old_invoices), "longest_tx_s": old_s}
        reset()
        rows.append((f"raise {reset.jobs:,} jobs, {rule.label.lower()}", old, new))
        rows.append(
            (
                f"report {tally.invoices_raised:,} raised invoices (queries)",
                {"queries": len(q_old)},
                {"queries": len(q_new)},
            )
        )
    Customer.objects.filter(tenant=tenant).update(invoicing_rule=InvoicingRule.PER_JOB)
    return rows


def _print_lists(rows: list[tuple[str, dict[str, float], dict[str, float]]]) -> None:
    print(f"{'page':44} {'before ms':>10} {'q':>4} {'KiB':>7}   {'after ms':>9} {'q':>4} {'KiB':>6}  {'ratio':>6}")
    for label, old, new in rows:
        ratio = old["ms"] / new["ms"] if new["ms"] else float("inf")
        print(
            f"{label:44} {old['ms']:10.1f} {old['queries']:4.0f} {old['kib']:7.1f}   "
            f"{new['ms']:9.1f} {new['queries']:4.0f} {new['kib']:6.1f}  {ratio:5.1f}x"
        )


def _print_raise(rows: list[tuple[str, dict[str, float], dict[str, float]]]) -> None:
    print(f"{'raise':52} {'before s':>9} {'longest tx s':>13}   {'after s':>8} {'longest tx s':>13}  {'ratio':>6}")
    for label, old, new in rows:
        if "s" not in old:
            print(f"{label:52} {old['queries']:9.0f} {'':13}   {new['queries']:8.0f}")
            continue
        print(
            f"{label:52} {old['s']:9.2f} {old['longest_tx_s']:13.2f}   {new['s']:8.2f} {new['longest_tx_s']:13.2f}  "
            f"{old['s'] / new['s']:5.1f}x   ({new['invoices']:,.0f} invoices)"
        )


def main() -> None:
    from bench.scale_data import Sizes

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="requests per list case (median)")
    parser.add_argument("--keep", action="store_true", help="keep the database and its data for the next run")
    parser.add_argument("--skip-raise", action="store_true", help="lists only")
    args = parser.parse_args()
    old_name = _setup(args)
    from django.db import connection

    from bench.scale_data import build
    from tenancy.models import Tenant

    try:
        sizes = Sizes()
        tenant = Tenant.objects.filter(slug="scale").first()
        if tenant is None:
            start = time.perf_counter()
            tenant = build(sizes=sizes)
            print(f"built the tenant in {time.perf_counter() - start:.0f} s")
        print(
            f"data: {sizes.bookings:,} bookings, {sizes.warehouse_jobs:,} warehouse jobs, "
            f"{sizes.customers:,} customers, "
            f"{sizes.invoices:,} invoices; {sizes.completed_bookings + sizes.completed_warehouse:,} completed jobs "
            f"to raise; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        print()
        _print_lists(_lists(tenant, args))
        print(f"\nbookings search plan uses: {_search_plan(tenant)}")
        if not args.skip_raise:
            print()
            _print_raise(_raise(tenant, sizes))
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
        print("targets: every list case <= 100 ms with the same queries on every page; 10,000 per-job invoices <= 5 s;")
        print(
            "         10,000 jobs consolidated <= 2 s; no transaction of a request > 1 s (requests raise <= 200 jobs)"
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
