"""The customer autocomplete behind the job lists' customer filter: scoped, role-checked, short."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from customers.selectors import AUTOCOMPLETE_LIMIT
from tenancy.models import Tenant, User
from tests.factories import CustomerFactory

URL = "customers:autocomplete"


@pytest.mark.parametrize("who", ["admin_client_", "accounts_client", "ops_client"])
def test_every_role_finds_its_customers_by_name_or_code(
    request: pytest.FixtureRequest, who: str, tenant: Tenant
) -> None:
    client: Client = request.getfixturevalue(who)
    globex = CustomerFactory.create(tenant=tenant, name="Globex Corporation", code="GLX")
    CustomerFactory.create(tenant=tenant, name="Initech", code="INI")
    by_name = client.get(reverse(URL), {"customer_q": "globex"}).content.decode()
    by_code = client.get(reverse(URL), {"customer_q": "glx"}).content.decode()
    for body in (by_name, by_code):
        assert f'<option value="{globex.pk}" selected>Globex Corporation (GLX)</option>' in body
        assert "Initech" not in body


def test_another_tenants_customers_are_never_offered(ops_client: Client, tenant: Tenant, other_tenant: Tenant) -> None:
    CustomerFactory.create(tenant=other_tenant, name="Globex Rival", code="RIV")
    body = ops_client.get(reverse(URL), {"customer_q": "globex"}).content.decode()
    assert "Globex Rival" not in body
    assert "No customer matches" in body


def test_answer_is_short_however_many_customers_match(ops_client: Client, tenant: Tenant) -> None:
    CustomerFactory.create_batch(AUTOCOMPLETE_LIMIT + 5, tenant=tenant)
    body = ops_client.get(reverse(URL), {"customer_q": ""}).content.decode()
    assert body.count("<option value=") == AUTOCOMPLETE_LIMIT + 1  # "All customers" and the first matches
    assert " selected" not in body  # nothing typed: the filter stays on "All customers"


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse(URL), {"customer_q": "a"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_tenant_is_refused(client: Client, db: None) -> None:
    user = User.objects.create_user(email="lost@example.com", password="x" * 12)
    client.force_login(user)
    assert client.get(reverse(URL), {"customer_q": "a"}).status_code == 403
