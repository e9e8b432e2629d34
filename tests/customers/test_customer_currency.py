"""A customer's currency is an ISO 4217 code chosen from a list (pycountry), never free text like "ZZZ"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def _data(currency: str) -> dict[str, str]:
    return {
        "name": "Globex Corporation",
        "code": "GLOBEX",
        "payment_terms_days": "14",
        "currency": currency,
        "invoicing_rule": "per_job",
        "consolidation_schedule": "on_demand",
        "send_reference": "inherit",
    }


@pytest.mark.parametrize("code", ["ZZZ", "XXX", "XAU", "A$D"])
def test_a_code_that_is_not_an_iso_currency_is_a_form_error(ops_client: Client, tenant: Tenant, code: str) -> None:
    response = ops_client.post(reverse("customers:create"), _data(code))

    assert response.status_code == 200
    assert "not an ISO 4217 currency code" in response.content.decode()
    assert not Customer.objects.exists()


def test_an_iso_currency_is_saved(ops_client: Client, tenant: Tenant) -> None:
    ops_client.post(reverse("customers:create"), _data("usd"))

    assert Customer.objects.get().currency == "USD"


def test_the_currency_is_chosen_from_a_list_starting_at_the_base_currency(ops_client: Client, tenant: Tenant) -> None:
    html = ops_client.get(reverse("customers:create")).content.decode()

    assert '<select name="currency"' in html
    assert '<option value="NZD">NZD — New Zealand Dollar</option>' in html
    assert f'<option value="{tenant.base_currency}" selected>' in html
