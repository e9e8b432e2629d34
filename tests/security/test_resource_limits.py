"""A form cannot be made to do unbounded work: a formset that claims a huge number of rows is
refused (or capped) cheaply instead of building, validating and rendering every claimed row.

Found by the isolation crawl: posting ``charges-TOTAL_FORMS=100000`` to "New booking" built 2,000
charge forms, ran 2,005 SQL queries and rendered 2.9 MB in 31 s — any signed-in user, any role.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookings.models import BookingStatus
from invoicing.models import Invoice
from invoicing.services import invoice_raise_for_jobs
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CLAIMED_ROWS = "500"
MAX_QUERIES = 60


@pytest.mark.parametrize("path", ["/bookings/new/", "/warehouse/new/"])
def test_a_charge_formset_claiming_hundreds_of_rows_is_answered_cheaply(ops_client: Client, path: str) -> None:
    data = {"charges-TOTAL_FORMS": CLAIMED_ROWS, "charges-INITIAL_FORMS": "0", "charges-MAX_NUM_FORMS": "1000"}

    with CaptureQueriesContext(connection) as queries:
        response = ops_client.post(path, data)

    assert response.status_code in (200, 400)
    assert len(queries) <= MAX_QUERIES, f"{len(queries)} queries for a forged row count"
    assert len(response.content) < 500_000


def test_the_invoice_line_formset_claiming_hundreds_of_rows_is_answered_cheaply(
    accounts_client: Client, tenant: Any
) -> None:
    customer: Any = CustomerFactory(tenant=tenant)
    job: Any = BookingFactory(tenant=tenant, customer=customer, status=BookingStatus.COMPLETED)
    BookingChargeFactory(job=job)
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=[job], mark_ready=True)
    assert isinstance(invoice, Invoice)
    url = f"/invoicing/{invoice.public_id}/edit/"
    data = {
        "lines-TOTAL_FORMS": CLAIMED_ROWS,
        "lines-INITIAL_FORMS": "1",
        "date": "2026-11-25",
        "due_date": "2026-12-25",
    }

    with CaptureQueriesContext(connection) as queries:
        response = accounts_client.post(url, data)

    assert response.status_code in (200, 400)
    assert len(queries) <= MAX_QUERIES, f"{len(queries)} queries for a forged row count"
    assert len(response.content) < 500_000
