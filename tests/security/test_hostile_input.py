"""Hostile input, property-based: every form and the OAuth callback answer a clear error, never a
server error, and a rejected submission writes nothing.

Each form is read from its rendered page (tests/security/forms.py), filled as a user would, then one
field — or every text field at once — is replaced with a hostile value: NUL bytes, RTL and
zero-width marks, emoji, combining marks, 10,000-character strings, numbers that are not numbers,
dates that do not exist, choices that are not offered, ids of another tenant's rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import BookingStatus
from customers.models import Customer, InvoicingRule
from integrations.xero.models import XeroConnection
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Role, Tenant, User
from tests.factories import (
    BookingChargeFactory,
    BookingFactory,
    CustomerFactory,
    TenantFactory,
    UserFactory,
    WarehouseChargeFactory,
    WarehouseJobFactory,
)
from tests.security.forms import main_form

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
DATA_APPS = ("tenancy", "customers", "bookings", "warehouse", "invoicing", "xero")

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "PO\x00123",
    "\u202eevil-override\u202c",
    "\u200f\u200eRTL\u200f",
    "\u200b\u200c\u200d\ufeff",
    "🚚📦🧾" * 30,
    "👩🏽‍💻" * 100,
    "e\u0301" * 300,
    "A" * 10_000,
    "ـ" * 5000,
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    "%s%n%x",
    "\r\nSet-Cookie: x=1",
    "..\\..\\etc\\passwd",
    "\ud7ff\ue000\uffff",
    "\U0001d574\U0001d593\U0001d59b",  # mathematical Fraktur letters
]
NASTY_NUMBERS = [
    "",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "-inf",
    "1e309",
    "9" * 40,
    "1,000",
    "١٢٣",
    "0x1F",
    "1.0000000001",
    "12\x00",
    "99999999999999.999",
    "-0.001",
]
NASTY_DATES = ["", "2026-02-30", "0001-01-01", "9999-12-31", "31/12/2026", "yesterday", "2026-13-01", "2026-11-25\x00"]

hostile_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=60),
    st.text(min_size=1, max_size=5).map(lambda s: s * 2000),
)
hostile_number = st.one_of(st.sampled_from(NASTY_NUMBERS), hostile_text)


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in DATA_APPS
    }


def hostile_value(foreign_ids: list[str]) -> st.SearchStrategy[str]:
    """One strategy for every field: Hypothesis needs the same draws whatever field was picked."""
    return st.one_of(
        hostile_text,
        st.sampled_from(NASTY_NUMBERS),
        st.sampled_from(NASTY_DATES),
        st.sampled_from([*foreign_ids, "-1", "0", "bogus", "9" * 30, "b:x", "w:-1"]),
    )


def post_hostile(
    client: Client,
    url: str,
    data: st.DataObject,
    *,
    foreign_ids: list[str],
    expect_written: tuple[str, ...] = (),
) -> None:
    """Read the form at ``url``, break it, post it; check the answer and what was written."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} -> {page.status_code}"
    form = main_form(page.content.decode(), action=url)
    payload: dict[str, Any] = form.baseline()
    names = form.names()
    text_names = [n for n in form.names(kinds=("text", "textarea", "email", "search", "url", "tel")) if n in names]
    # Draws of fixed shape (the form itself may grow between examples as accepted rows pile up).
    every_text_field = data.draw(st.booleans(), label="every text field at once")
    index = data.draw(st.integers(min_value=0, max_value=10_000), label="field index")
    value = data.draw(hostile_value(foreign_ids), label="value")
    if every_text_field and text_names:
        payload.update(dict.fromkeys(text_names, value))
    else:
        payload[names[index % len(names)]] = value

    before = row_counts()
    response = client.post(url, payload)

    assert response.status_code < 500
    if response.status_code == 302:
        # Accepted: the page it leads to must render what was saved.
        follow = client.get(response["Location"])
        assert follow.status_code < 500
        after = row_counts()
        changed = {k for k in after if after[k] != before[k]}
        assert changed <= set(expect_written) | {"xero.XeroSettingsChange"}, changed
    else:
        assert response.status_code in (200, 400, 403, 404, 409, 413, 422)
        assert row_counts() == before, "a rejected submission wrote rows"


# --- world ---------------------------------------------------------------------------------------


@pytest.fixture
def rival_ids(db: None) -> list[str]:
    """Ids of another tenant's rows, offered to every select and hidden field."""
    rival: Any = TenantFactory(slug="rival-hostile")
    customer: Any = CustomerFactory(tenant=rival)
    booking: Any = BookingFactory(tenant=rival, customer=customer)
    return [str(customer.pk), str(booking.pk), f"b:{booking.pk}", str(rival.default_tax_code_id)]


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    return cast(Customer, CustomerFactory(tenant=tenant, invoicing_rule=InvoicingRule.CONSOLIDATED))


@pytest.fixture
def booking(customer: Customer) -> Any:
    b = BookingFactory(tenant=customer.tenant, customer=customer, status=BookingStatus.DELIVERED)
    BookingChargeFactory(job=b)
    return b


@pytest.fixture
def warehouse_job(customer: Customer) -> Any:
    w = WarehouseJobFactory(tenant=customer.tenant, customer=customer, status="in_progress")
    WarehouseChargeFactory(job=w)
    return w


@pytest.fixture
def invoice(customer: Customer, admin_user: User) -> Invoice:
    jobs: list[Any] = []
    for _ in range(2):
        b = BookingFactory(tenant=customer.tenant, customer=customer, status=BookingStatus.COMPLETED)
        BookingChargeFactory(job=b)
        jobs.append(b)
    (inv,) = invoice_raise_for_jobs(tenant=customer.tenant, jobs=jobs, mark_ready=True, user=admin_user)
    return inv


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


@pytest.fixture
def connected(tenant: Tenant, admin_user: User) -> XeroConnection:
    from integrations.xero.crypto import secret_encrypt

    return XeroConnection.objects.create(
        tenant=tenant,
        xero_tenant_id=str(uuid.uuid4()),
        organisation_name="Acme Xero Org",
        connected_by=admin_user,
        access_token_encrypted=secret_encrypt("at"),
        refresh_token_encrypted=secret_encrypt("rt"),
        access_token_expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )


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


# --- the OAuth callback -------------------------------------------------------------------------------

CALLBACK = "/settings/integration/authentication/xero/callback/"


@EXAMPLES
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "state": hostile_text,
            "code": hostile_text,
            "error": st.one_of(
                st.sampled_from(["access_denied", "invalid_scope", "server_error", "unauthorized_client"]),
                hostile_text,
            ),
            "error_description": hostile_text,
            "scope": hostile_text,
        },
    )
)
def test_oauth_callback_with_unknown_state_is_refused_and_saves_nothing(
    admin_client_: Client, params: dict[str, str]
) -> None:
    before = row_counts()

    response = admin_client_.get(CALLBACK, params)

    assert response.status_code in (302, 400, 403), response.status_code
    if response.status_code == 302:
        assert "/callback/" not in response["Location"]
    assert XeroConnection.objects.count() == 0
    assert row_counts() == before


def test_oauth_callback_without_code_or_with_an_error_saves_nothing_even_with_a_real_state(
    admin_client_: Client, admin_user: User
) -> None:
    """Start a real authorisation (so the state is genuine), then come back with error= / no code."""
    for params in ({"error": "access_denied"}, {}, {"code": ""}, {"error": "\x00" * 10, "code": "x" * 10_000}):
        start = admin_client_.post("/settings/integration/authentication/xero/connect/")
        assert start.status_code == 302
        from urllib.parse import parse_qs, urlparse

        state = parse_qs(urlparse(start["Location"]).query)["state"][0]
        response = admin_client_.get(CALLBACK, {"state": state, **params})
        assert response.status_code in (302, 400, 403)
        assert XeroConnection.objects.count() == 0
        # The same state cannot be used again.
        again = admin_client_.get(CALLBACK, {"state": state, "code": "whatever"})
        assert again.status_code in (400, 403)
        assert XeroConnection.objects.count() == 0


def test_oauth_callback_state_of_another_user_is_refused(admin_client_: Client, tenant: Tenant) -> None:
    from urllib.parse import parse_qs, urlparse

    other_admin: Any = UserFactory(tenant=tenant, role=Role.ADMIN, email="second-admin@acme.example")
    other = Client()
    other.force_login(other_admin)
    start = other.post("/settings/integration/authentication/xero/connect/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]

    response = admin_client_.get(CALLBACK, {"state": state, "code": "stolen-code"})

    assert response.status_code in (400, 403)
    assert XeroConnection.objects.count() == 0


def test_export_start_with_hostile_selection_exports_nothing_and_does_not_crash(
    accounts_client: Client, invoice: Invoice, rival_ids: list[str]
) -> None:
    for value in [*NASTY_STRINGS[:12], *rival_ids, str(uuid.uuid4()), "-1", "9" * 40]:
        response = accounts_client.post("/invoicing/export/start/", {"invoice": [value], "invoices": [value]})
        assert response.status_code < 500
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.READY
    assert Decimal(invoice.total) > 0


@EXAMPLES
@given(
    reason=hostile_text,
    xero_invoice_id=st.one_of(hostile_text, st.uuids().map(str)),
    next_url=st.sampled_from(
        [
            "",
            "//evil.example/",
            "https://evil.example/x",
            "javascript:alert(1)",
            "/\\evil.example",
            "\x00/",
            "/invoicing/",
        ]
    ),
)
def test_mark_exported_by_hand_survives_hostile_reason_id_and_next(
    admin_client_: Client, invoice: Invoice, reason: str, xero_invoice_id: str, next_url: str
) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED)

    response = admin_client_.post(
        f"/invoicing/export/invoices/{invoice.public_id}/mark-exported/",
        {"reason": reason, "xero_invoice_id": xero_invoice_id, "next": next_url},
    )

    assert response.status_code in (302, 400)
    location = response.get("Location", "")
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    invoice.refresh_from_db()
    if invoice.status == InvoiceStatus.EXPORTED:
        assert reason.strip(), "marked exported without a reason"
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_note="")
