"""List pages stay cheap as a tenant grows (issue 11): no per-page aggregate over every job, no
``<option>`` per customer, searches that PostgreSQL can answer from the trigram indexes.

Speed itself is measured by ``bench/scale_bench.py``; these tests pin the shape that makes it fast.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer
from jobs.selectors import job_list, job_search
from tenancy.models import Tenant
from tests.factories import CustomerFactory
from tests.jobs.helpers import KINDS, JobKind, make_customer

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


def _fill(kind: JobKind, tenant: Tenant, *, jobs: int, customers: int) -> list[Customer]:
    made = CustomerFactory.create_batch(customers, tenant=tenant)
    for index in range(jobs):
        job = kind.factory(tenant=tenant, customer=made[index % customers])
        kind.charge_factory(job=job)
    return made


def _list_queries(client: Client, kind: JobKind, **params: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"{kind.namespace}:list"), params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_list_never_aggregates_over_all_jobs(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    """Charge totals are summed for the page's rows only, and the paginator counts plain rows."""
    _fill(kind, tenant, jobs=30, customers=3)
    table = kind.model._meta.db_table
    for params in ({}, {"page": "2"}, {"q": "PO"}, {"status": "completed"}):
        sqls = _list_queries(ops_client, kind, **params)
        grouped = [sql for sql in sqls if "GROUP BY" in sql]
        assert grouped, "the page's totals come from one grouped query"
        for sql in grouped:
            assert f'FROM "{table}"' not in sql, f"aggregate over the jobs table: {sql}"
            assert '"job_id" IN (' in sql, f"totals not limited to the page's rows: {sql}"


def test_last_page_totals_and_order_match_the_first(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    """The key-first paginator keeps the newest-first order and the totals on every page."""
    _fill(kind, tenant, jobs=30, customers=3)
    expected = list(kind.model.objects.filter(tenant=tenant).order_by("-id").values_list("number", flat=True))
    seen: list[str] = []
    for page in ("1", "2"):
        response = ops_client.get(reverse(f"{kind.namespace}:list"), {"page": page})
        rows = response.context["rows"]
        seen += [job.number for job in rows]
        assert all(job.charges_total == sum(c.amount for c in job.charges.all()) for job in rows)
    assert seen == expected


@pytest.mark.parametrize("customers", [3, 60])
def test_customer_filter_does_not_list_every_customer(
    django_assert_max_num_queries: Any, ops_client: Client, kind: JobKind, tenant: Tenant, customers: int
) -> None:
    made = _fill(kind, tenant, jobs=5, customers=customers)
    with django_assert_max_num_queries(9):
        body = ops_client.get(reverse(f"{kind.namespace}:list")).content.decode()
    assert not [c for c in made if f'<option value="{c.pk}"' in body]
    assert reverse("customers:autocomplete") in body
    # Filtered by a customer: that one customer is the select's chosen option, no other.
    chosen = made[-1]
    body = ops_client.get(reverse(f"{kind.namespace}:list"), {"customer": chosen.pk}).content.decode()
    assert f'<option value="{chosen.pk}" selected>' in body
    assert [c for c in made if f'<option value="{c.pk}"' in body] == [chosen]


def test_search_conditions_stay_on_the_jobs_own_indexed_columns(kind: JobKind, tenant: Tenant) -> None:
    """Every search condition is on a column of the jobs table that has a trigram index.

    The old search OR'd conditions across the customer join, which no index on the jobs table can
    serve, so PostgreSQL scanned every job. (bench/scale_bench.py prints the plan at 100k jobs.)
    """
    globex = make_customer(tenant=tenant, name="Globex Corporation", code="GLOBEX")
    queryset = job_search(queryset=job_list(tenant=tenant, model=kind.model), text="globex", tenant=tenant)
    where = str(queryset.query).split(" WHERE ", 1)[1]
    assert "customers_customer" not in where, where
    table = kind.model._meta.db_table
    assert f'UPPER("{table}"."number"::text) LIKE' in where
    assert f'UPPER("{table}"."customer_reference"::text) LIKE' in where
    assert f'"{table}"."customer_id" IN ({globex.pk})' in where
    indexed = {index.name for index in kind.model._meta.indexes}
    prefix = "booking" if kind.namespace == "bookings" else "warehousejob"
    assert {f"{prefix}_number_trgm", f"{prefix}_ref_trgm"} <= indexed


def test_back_half_pages_are_read_from_the_other_end(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    """The last page's keys come from a reversed scan with a small offset, not OFFSET over every job."""
    _fill(kind, tenant, jobs=60, customers=3)
    expected = list(kind.model.objects.filter(tenant=tenant).order_by("-id").values_list("number", flat=True))
    sqls = _list_queries(ops_client, kind, page="3")
    table = kind.model._meta.db_table
    keys = [sql for sql in sqls if sql.startswith(f'SELECT "{table}"."id" AS "pk" FROM')]
    assert len(keys) == 1
    assert "OFFSET" not in keys[0] and f'ORDER BY "{table}"."id" ASC' in keys[0], keys[0]
    rows = ops_client.get(reverse(f"{kind.namespace}:list"), {"page": "3"}).context["rows"]
    assert [job.number for job in rows] == expected[50:]
    middle = ops_client.get(reverse(f"{kind.namespace}:list"), {"page": "2"}).context["rows"]
    assert [job.number for job in middle] == expected[25:50]
