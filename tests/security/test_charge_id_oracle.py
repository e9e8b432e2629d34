"""Issue 9, item 9: ``charges-0-id`` must not tell whether a charge id exists.

A charge of another tenant, of another job of the same tenant, and an id that exists nowhere get the
same answer, and none of them changes anything.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import BookingCharge
from tenancy.models import Tenant
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory, TenantFactory
from tests.jobs.helpers import BOOKINGS, job_form_data


def _answer(client: Client, job: Any, charge_id: str) -> tuple[int, str]:
    data = job_form_data(
        BOOKINGS,
        customer=job.customer,
        status="booked",
        initial_forms=1,
        charges=[
            {"id": charge_id, "description": "Changed", "quantity": "1", "unit_price": "5.00", "account_code": ""}
        ],
    )
    response = client.post(reverse("bookings:edit", args=[job.pk]), data)
    body = response.content.decode() if response.status_code == 200 else response["Location"]
    # The page echoes the posted id in a hidden field, and CSRF tokens are masked afresh each time;
    # compare everything else.
    body = re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF", body)
    return response.status_code, re.sub(r'(name="charges-0-id" value=")[^"]*"', r'\1ID"', body)


@pytest.mark.django_db
def test_foreign_other_job_and_missing_charge_ids_get_the_same_answer(ops_client: Client, tenant: Tenant) -> None:
    customer = CustomerFactory(tenant=tenant)
    job = BookingFactory(tenant=tenant, customer=customer, status="booked")
    mine: Any = BookingChargeFactory(job=job, description="Mine")
    sibling: Any = BookingChargeFactory(job=BookingFactory(tenant=tenant, customer=customer), description="Sibling")
    rival: Any = TenantFactory(slug="rival-oracle")
    foreign: Any = BookingChargeFactory(job=BookingFactory(tenant=rival, customer=CustomerFactory(tenant=rival)))
    missing = str(max(BookingCharge.objects.values_list("pk", flat=True)) + 1000)

    answers = {
        name: _answer(ops_client, job, charge_id)
        for name, charge_id in {"foreign": str(foreign.pk), "sibling": str(sibling.pk), "missing": missing}.items()
    }

    assert answers["foreign"] == answers["sibling"] == answers["missing"], {k: v[0] for k, v in answers.items()}
    assert answers["missing"][0] == 200  # a form error, not a silent save
    assert "This charge line is no longer on the job" in answers["missing"][1]
    # Nothing was written anywhere.
    assert {c.pk: c.description for c in BookingCharge.objects.all()} == {
        mine.pk: "Mine",
        sibling.pk: "Sibling",
        foreign.pk: "Linehaul",
    }
