"""Customer pages: access per role and tenant, create / edit, unique code per tenant, search, query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tenancy.models import Tenant
from tests.jobs.helpers import make_booking, make_customer

ROLE_CLIENTS = ["admin_client_", "accounts_client", "ops_client"]


def _data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Globex Corporation",
        "code": "GLOBEX",
        "email": "ap@globex.example",
        "billing_address": "1 Main St\nSpringfield",
        "payment_terms_days": "14",
        "currency": "aud",
        "invoicing_rule": "consolidated",
        "consolidation_schedule": "monthly",
        "send_reference": "always",
        **overrides,
    }


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
def test_every_role_sees_and_edits_customers(request: pytest.FixtureRequest, client_name: str, tenant: Tenant) -> None:
    client: Client = request.getfixturevalue(client_name)
    customer = make_customer(tenant=tenant, name="Initech")
    for url in (
        reverse("customers:list"),
        reverse("customers:create"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:edit", args=[customer.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    response = client.post(reverse("customers:edit", args=[customer.pk]), _data(name="Initech Renamed", code="INI"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.code) == ("Initech Renamed", "INI")


def test_other_tenant_gets_404_and_cannot_list(other_client: Client, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant, name="Acme Secret Customer")
    assert other_client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    assert other_client.get(reverse("customers:edit", args=[customer.pk])).status_code == 404
    assert other_client.post(reverse("customers:edit", args=[customer.pk]), _data(name="Hijack")).status_code == 404
    assert "Acme Secret Customer" not in other_client.get(reverse("customers:list")).content.decode()
    customer.refresh_from_db()
    assert customer.name == "Acme Secret Customer"


def test_anonymous_is_sent_to_login(client: Client, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    for url in (
        reverse("customers:list"),
        reverse("customers:create"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:edit", args=[customer.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    client.post(reverse("customers:create"), _data())
    assert Customer.objects.count() == 1


def test_create_customer_through_the_form(ops_client: Client, tenant: Tenant) -> None:
    response = ops_client.post(reverse("customers:create"), _data())
    customer = Customer.objects.get()
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.tenant == tenant
    assert (customer.code, customer.currency, customer.payment_terms_days) == ("GLOBEX", "AUD", 14)
    assert (customer.invoicing_rule, customer.consolidation_schedule, customer.send_reference) == (
        "consolidated",
        "monthly",
        "always",
    )
    assert customer.xero_contact_id == ""
    assert "Customer Globex Corporation created." in ops_client.get(response["Location"]).content.decode()


def test_duplicate_code_in_same_tenant_is_a_form_error(ops_client: Client, tenant: Tenant) -> None:
    make_customer(tenant=tenant, code="GLOBEX")
    response = ops_client.post(reverse("customers:create"), _data(code="globex"))
    assert response.status_code == 200
    assert "already uses the code" in response.context["form"].errors["code"][0]
    assert Customer.objects.filter(tenant=tenant).count() == 1


def test_same_code_in_another_tenant_is_fine(ops_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    make_customer(tenant=other_tenant, code="GLOBEX")
    assert ops_client.post(reverse("customers:create"), _data()).status_code == 302
    assert Customer.objects.filter(code="GLOBEX").count() == 2


def test_editing_keeps_own_code(ops_client: Client, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant, code="GLOBEX")
    response = ops_client.post(reverse("customers:edit", args=[customer.pk]), _data(email="new@globex.example"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email == "new@globex.example"


def test_search_and_filter(ops_client: Client, tenant: Tenant) -> None:
    make_customer(tenant=tenant, name="Globex", code="GLX", invoicing_rule="consolidated")
    make_customer(tenant=tenant, name="Initech", code="INI", email="ap@initech.example")

    def names(**params: Any) -> set[str]:
        return {c.name for c in ops_client.get(reverse("customers:list"), params).context["rows"]}

    assert names(q="glx") == {"Globex"}
    assert names(q="initech.example") == {"Initech"}
    assert names(invoicing_rule="consolidated") == {"Globex"}
    assert names() == {"Globex", "Initech"}


def test_empty_list_invites_to_create(ops_client: Client, tenant: Tenant) -> None:
    body = ops_client.get(reverse("customers:list")).content.decode()
    assert "No customers yet" in body and "Create the first customer" in body


def test_detail_shows_recent_jobs_and_references(ops_client: Client, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    booking = make_booking(tenant=tenant, customer=customer, customer_reference="PO-SHOWN-HERE")
    body = ops_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert booking.number in body and "PO-SHOWN-HERE" in body


@pytest.mark.parametrize("rows", [10, 500])
def test_list_query_count_does_not_grow(
    django_assert_max_num_queries: Any, admin_client_: Client, tenant: Tenant, rows: int
) -> None:
    Customer.objects.bulk_create(
        [Customer(tenant=tenant, name=f"Customer {i:04d}", code=f"C{i:04d}") for i in range(rows)]
    )
    with django_assert_max_num_queries(7):
        response = admin_client_.get(reverse("customers:list"), {"q": "customer"})
    assert len(response.context["rows"]) == min(rows, 25)


def test_code_race_lost_at_the_database_is_still_a_form_error(
    ops_client: Client, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people saving the same new code at once: the unique constraint decides, the loser sees a form error."""
    from customers import forms, services

    make_customer(tenant=tenant, code="GLOBEX")
    # Both the form's and the service's look-ahead checks ran before the other request committed.
    monkeypatch.setattr(forms, "customer_code_taken", lambda **kwargs: False)
    monkeypatch.setattr(services, "customer_code_taken", lambda **kwargs: False)
    response = ops_client.post(reverse("customers:create"), _data(code="GLOBEX"))
    assert response.status_code == 200
    assert "already uses the code" in response.context["form"].errors["code"][0]
    assert Customer.objects.filter(tenant=tenant).count() == 1
