"""List pages of bookings and warehouse jobs: search, filters, pagination, constant query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tenancy.models import Tenant
from tests.factories import CustomerFactory
from tests.jobs.helpers import KINDS, JobKind, make_customer

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


def _numbers(client: Client, kind: JobKind, **params: Any) -> set[str]:
    response = client.get(reverse(f"{kind.namespace}:list"), params)
    assert response.status_code == 200
    return {job.number for job in response.context["rows"]}


def test_search_matches_number_customer_name_code_and_reference(
    ops_client: Client, kind: JobKind, tenant: Tenant
) -> None:
    globex = make_customer(tenant=tenant, name="Globex Corporation", code="GLOBEX")
    initech = make_customer(tenant=tenant, name="Initech", code="INI")
    a = kind.factory(tenant=tenant, customer=globex, customer_reference="PO-ALPHA-1")
    b = kind.factory(tenant=tenant, customer=initech, customer_reference="")
    c = kind.factory(tenant=tenant, customer=initech, customer_reference="job 55/GLOBEX")

    assert _numbers(ops_client, kind, q=b.number) == {b.number}
    assert _numbers(ops_client, kind, q="globex corp") == {a.number}
    assert _numbers(ops_client, kind, q="ini") == {b.number, c.number}
    assert _numbers(ops_client, kind, q="alpha") == {a.number}
    assert _numbers(ops_client, kind, q="GLOBEX") == {a.number, c.number}
    assert _numbers(ops_client, kind, q="  ") == {a.number, b.number, c.number}


def test_status_and_customer_filters(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    draft = kind.factory(tenant=tenant, status="draft", customer=customer)
    completed = kind.factory(tenant=tenant, status="completed")
    assert _numbers(ops_client, kind, status="draft") == {draft.number}
    assert _numbers(ops_client, kind, status="completed") == {completed.number}
    assert _numbers(ops_client, kind, customer=customer.pk) == {draft.number}
    assert _numbers(ops_client, kind, status="completed", customer=customer.pk) == set()


def test_completed_not_invoiced_filter_for_accounts(accounts_client: Client, kind: JobKind, tenant: Tenant) -> None:
    from invoicing.models import Invoice, InvoiceJob

    ready = kind.factory(tenant=tenant, status="completed")
    kind.factory(tenant=tenant, status="invoiced")
    kind.factory(tenant=tenant, status="delivered" if kind.namespace == "bookings" else "in_progress")
    # Completed but already on an (active) invoice: not something to invoice again.
    linked = kind.factory(tenant=tenant, status="completed")
    invoice = Invoice.objects.create(
        tenant=tenant, number="INV-1", customer=linked.customer, due_date="2026-12-31", currency="AUD"
    )
    field = "booking" if kind.namespace == "bookings" else "warehouse_job"
    InvoiceJob.objects.create(invoice=invoice, job_number=linked.number, **{field: linked})

    assert _numbers(accounts_client, kind, invoiceable="1") == {ready.number}
    body = accounts_client.get(reverse(f"{kind.namespace}:list")).content.decode()
    assert f'href="{reverse(f"{kind.namespace}:list")}?invoiceable=1"' in body


def test_list_is_paginated_25_per_page(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    kind.factory.create_batch(30, tenant=tenant, customer=customer)
    first = ops_client.get(reverse(f"{kind.namespace}:list"), {"q": customer.code})
    assert len(first.context["rows"]) == 25
    assert f"?q={customer.code}&page=2" in first.content.decode()
    second = ops_client.get(reverse(f"{kind.namespace}:list"), {"q": customer.code, "page": "2"})
    assert len(second.context["rows"]) == 5


def test_empty_list_invites_to_create_the_first_job(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    body = ops_client.get(reverse(f"{kind.namespace}:list")).content.decode()
    assert "Create the first" in body
    assert reverse(f"{kind.namespace}:create") in body


def test_no_match_says_so(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    kind.factory(tenant=tenant)
    body = ops_client.get(reverse(f"{kind.namespace}:list"), {"q": "nothing-like-this"}).content.decode()
    assert "match these filters" in body


@pytest.mark.parametrize("rows", [10, 500])
def test_list_query_count_does_not_grow_with_rows(
    django_assert_max_num_queries: Any, admin_client_: Client, kind: JobKind, tenant: Tenant, rows: int
) -> None:
    customers = CustomerFactory.create_batch(5, tenant=tenant)
    for index in range(rows):
        job = kind.factory(tenant=tenant, customer=customers[index % 5])
        kind.charge_factory(job=job)
    # 10: one of them looks up the page's unread customer notes (notes_unread_attach), whatever the rows.
    with django_assert_max_num_queries(10):
        response = admin_client_.get(reverse(f"{kind.namespace}:list"), {"status": "completed", "q": "PO"})
    assert len(response.context["rows"]) == min(rows, 25)


def test_filtering_by_another_tenants_customer_is_ignored(
    ops_client: Client, kind: JobKind, tenant: Tenant, other_tenant: Tenant
) -> None:
    ours = kind.factory(tenant=tenant)
    theirs = kind.factory(tenant=other_tenant)
    response = ops_client.get(reverse(f"{kind.namespace}:list"), {"customer": theirs.customer.pk})
    assert {job.number for job in response.context["rows"]} == {ours.number}
    assert theirs.customer.name not in response.content.decode()
    assert "not understood" in response.content.decode()
