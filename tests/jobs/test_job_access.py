"""Every job page, for both bookings and warehouse jobs, as each role, another tenant and anonymous."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tenancy.models import Tenant
from tests.jobs.helpers import KINDS, JobKind, job_form_data

ROLE_CLIENTS = ["admin_client_", "accounts_client", "ops_client"]
pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
def test_every_role_of_the_tenant_sees_list_detail_and_forms(
    request: pytest.FixtureRequest, client_name: str, kind: JobKind, tenant: Tenant
) -> None:
    client: Client = request.getfixturevalue(client_name)
    job = kind.factory(tenant=tenant, status="booked", customer_reference="ACME-REF-1")
    for url in (
        reverse(f"{kind.namespace}:list"),
        reverse(f"{kind.namespace}:create"),
        reverse(f"{kind.namespace}:detail", args=[job.pk]),
        reverse(f"{kind.namespace}:edit", args=[job.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if "new" not in url:
            assert job.number in response.content.decode(), url


def test_other_tenant_gets_404_for_objects(other_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="booked")
    original_reference = job.customer_reference
    assert other_client.get(reverse(f"{kind.namespace}:detail", args=[job.pk])).status_code == 404
    assert other_client.get(reverse(f"{kind.namespace}:edit", args=[job.pk])).status_code == 404
    data = job_form_data(kind, customer=job.customer, customer_reference="HIJACKED")
    assert other_client.post(reverse(f"{kind.namespace}:edit", args=[job.pk]), data).status_code == 404
    job.refresh_from_db()
    assert job.customer_reference == original_reference


def test_other_tenant_list_does_not_show_our_rows(
    other_client: Client, kind: JobKind, tenant: Tenant, other_tenant: Tenant
) -> None:
    ours = kind.factory(tenant=tenant, customer_reference="OURS-SECRET")
    theirs = kind.factory(tenant=other_tenant, customer_reference="THEIRS-VISIBLE")
    body = other_client.get(reverse(f"{kind.namespace}:list")).content.decode()
    assert "THEIRS-VISIBLE" in body and theirs.number in body
    assert "OURS-SECRET" not in body
    # Numbers are per tenant, so both may be ...000001; the customer gives ours away instead.
    assert ours.customer.name not in body


def test_other_tenant_cannot_search_for_our_reference(other_client: Client, kind: JobKind, tenant: Tenant) -> None:
    kind.factory(tenant=tenant, customer_reference="OURS-SECRET")
    response = other_client.get(reverse(f"{kind.namespace}:list"), {"q": "OURS-SECRET"})
    assert list(response.context["rows"]) == []
    assert "match these filters" in response.content.decode()


def test_anonymous_is_sent_to_login(client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant)
    for url in (
        reverse(f"{kind.namespace}:list"),
        reverse(f"{kind.namespace}:create"),
        reverse(f"{kind.namespace}:detail", args=[job.pk]),
        reverse(f"{kind.namespace}:edit", args=[job.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    response = client.post(reverse(f"{kind.namespace}:create"), job_form_data(kind, customer=job.customer))
    assert response.status_code == 302
    assert kind.model._default_manager.count() == 1
