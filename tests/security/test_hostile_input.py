"""Hostile input, property-based: every form and the OAuth callback answer a clear error, never a
server error, and a rejected submission writes nothing.

Each form is read from its rendered page (tests/security/forms.py), filled as a user would, then one
field — or every text field at once — is replaced with a hostile value: NUL bytes, RTL and
zero-width marks, emoji, combining marks, 10,000-character strings, numbers that are not numbers,
dates that do not exist, choices that are not offered, ids of another tenant's rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from bookings.models import BookingStatus
from customers.models import Customer
from integrations.xero.models import XeroConnection
from invoicing.models import Invoice
from tests.jobs.helpers import BOOKINGS, job_form_data
from tests.security.hostile import (
    EXAMPLES,
    hostile_number,
    hostile_text,
    post_hostile,
)

pytestmark = pytest.mark.django_db

# --- forms ------------------------------------------------------------------------------------------

JOB_TABLES = ("bookings.Booking", "bookings.BookingCharge", "warehouse.WarehouseJob", "warehouse.WarehouseCharge")


@EXAMPLES
@given(data=st.data())
def test_customer_create_form_survives_hostile_input(admin_client_: Client, rival_ids: list[str], data: Any) -> None:
    post_hostile(admin_client_, "/customers/new/", data, foreign_ids=rival_ids, expect_written=("customers.Customer",))


@EXAMPLES
@given(data=st.data())
def test_customer_edit_form_survives_hostile_input(
    ops_client: Client, customer: Customer, rival_ids: list[str], data: Any
) -> None:
    post_hostile(
        ops_client,
        f"/customers/{customer.pk}/edit/",
        data,
        foreign_ids=rival_ids,
        expect_written=("customers.Customer",),
    )


@EXAMPLES
@given(data=st.data())
def test_booking_create_form_with_charges_survives_hostile_input(
    ops_client: Client, customer: Customer, rival_ids: list[str], data: Any
) -> None:
    post_hostile(
        ops_client, "/bookings/new/", data, foreign_ids=rival_ids, expect_written=(*JOB_TABLES, "tenancy.Sequence")
    )


@EXAMPLES
@given(data=st.data())
def test_booking_edit_form_with_charges_survives_hostile_input(
    ops_client: Client, booking: Any, rival_ids: list[str], data: Any
) -> None:
    post_hostile(ops_client, f"/bookings/{booking.pk}/edit/", data, foreign_ids=rival_ids, expect_written=JOB_TABLES)


@EXAMPLES
@given(data=st.data())
def test_warehouse_job_create_form_survives_hostile_input(
    ops_client: Client, customer: Customer, rival_ids: list[str], data: Any
) -> None:
    post_hostile(
        ops_client, "/warehouse/new/", data, foreign_ids=rival_ids, expect_written=(*JOB_TABLES, "tenancy.Sequence")
    )


@EXAMPLES
@given(data=st.data())
def test_warehouse_job_edit_form_survives_hostile_input(
    ops_client: Client, warehouse_job: Any, rival_ids: list[str], data: Any
) -> None:
    post_hostile(
        ops_client, f"/warehouse/{warehouse_job.pk}/edit/", data, foreign_ids=rival_ids, expect_written=JOB_TABLES
    )


@EXAMPLES
@given(data=st.data())
def test_invoice_edit_form_survives_hostile_input(
    accounts_client: Client, invoice: Invoice, rival_ids: list[str], data: Any
) -> None:
    post_hostile(
        accounts_client,
        f"/invoicing/{invoice.public_id}/edit/",
        data,
        foreign_ids=rival_ids,
        expect_written=("invoicing.Invoice", "invoicing.InvoiceLine"),
    )


@EXAMPLES
@given(data=st.data())
def test_raise_invoices_form_survives_hostile_input(
    accounts_client: Client, booking: Any, rival_ids: list[str], data: Any
) -> None:
    booking.status = BookingStatus.COMPLETED
    booking.save()
    post_hostile(
        accounts_client,
        "/invoicing/raise/",
        data,
        foreign_ids=rival_ids,
        expect_written=(
            "invoicing.Invoice",
            "invoicing.InvoiceJob",
            "invoicing.InvoiceLine",
            "bookings.Booking",
            "tenancy.Sequence",
        ),
    )


big_decimal = st.decimals(min_value=-(10**10), max_value=10**10, places=3, allow_nan=False).map(str)


@EXAMPLES
@given(
    quantity=st.one_of(hostile_number, big_decimal),
    price=st.one_of(hostile_number, big_decimal),
    lines=st.integers(min_value=1, max_value=15),
)
@example(quantity="999999999.999", price="9999999999.99", lines=1)  # the reproduction
@example(quantity="100", price="1000000.00", lines=15)  # many lines, each at the line limit
def test_whatever_the_job_form_accepts_raises_without_a_server_error(
    accounts_client: Client, customer: Customer, quantity: str, price: str, lines: int
) -> None:
    """Issue 9, item 7: a job saved through the form never makes raising answer 500 (numeric overflow)."""
    charge = {"description": "Linehaul", "quantity": quantity, "unit_price": price, "account_code": ""}
    data = job_form_data(BOOKINGS, customer=customer, charges=[charge] * lines, status="completed")
    created = accounts_client.post("/bookings/new/", data)
    assert created.status_code in (200, 302)
    if created.status_code != 302:
        return
    job_pk = created["Location"].rstrip("/").rsplit("/", 1)[-1]
    raised = accounts_client.post("/invoicing/raise/", {"job": [f"b:{job_pk}"], "mark_ready": "on"})
    assert raised.status_code == 302
    assert accounts_client.get(raised["Location"]).status_code == 200


@EXAMPLES
@given(data=st.data())
def test_xero_settings_form_survives_hostile_input(
    admin_client_: Client, connected: XeroConnection, rival_ids: list[str], data: Any
) -> None:
    post_hostile(
        admin_client_,
        "/settings/integration/authentication/xero/",
        data,
        foreign_ids=rival_ids,
        expect_written=("xero.XeroSettings", "xero.XeroSettingsChange"),
    )


# --- search and filter parameters of the lists -------------------------------------------------------

LISTS = [
    "/customers/",
    "/bookings/",
    "/warehouse/",
    "/invoicing/",
    "/invoicing/all/",
    "/invoicing/raise/",
    "/invoicing/export/history/",
    "/bookings/new/",
    "/warehouse/new/",
]


@EXAMPLES
@given(
    path=st.sampled_from(LISTS),
    params=st.dictionaries(
        st.sampled_from(["q", "status", "customer", "page", "invoicing_rule", "uninvoiced", "sort"]),
        st.one_of(hostile_text, hostile_number),
        max_size=3,
    ),
)
def test_list_search_and_filters_survive_hostile_parameters(
    admin_client_: Client, customer: Customer, path: str, params: dict[str, str]
) -> None:
    response = admin_client_.get(path, params)

    assert response.status_code in (200, 400, 404)
