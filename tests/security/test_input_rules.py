"""Issue 9 items 7 and 8, issue 8 §4 field limits: the input rules, through the real pages and the
services (freighttracker/validators.py holds the rules; SECURITY.md lists them)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from bookings.models import Booking
from bookings.services import booking_create
from customers.models import Customer, InvoicingRule
from freighttracker.validators import LINE_AMOUNT_MAX, TOTAL_MAX
from invoicing.models import Invoice, InvoiceLine
from invoicing.services import invoice_raise_for_jobs
from jobs.services import ChargeData
from tenancy.models import Tenant
from tests.factories import BookingChargeFactory, BookingFactory, CustomerFactory
from tests.jobs.helpers import BOOKINGS, WAREHOUSE, job_form_data
from tests.security.hostile import EXAMPLES
from warehouse.models import WarehouseJob

CONTROL_CHARACTERS = ["\x01", "\x07", "\x1b", "\x0b", "\x0c", "\x7f", "\x85", "\t", "\n", "\u2028"]


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _charge(description: str = "Linehaul", quantity: str = "1", price: str = "100.00", **extra: Any) -> dict[str, Any]:
    return {"description": description, "quantity": quantity, "unit_price": price, "account_code": "", **extra}


def _customer(tenant: Tenant, **kwargs: Any) -> Customer:
    return CustomerFactory(tenant=tenant, **kwargs)  # type: ignore[return-value]


def _booking(**kwargs: Any) -> Booking:
    return BookingFactory(**kwargs)  # type: ignore[return-value]


def _post_booking(client: Client, customer: Customer, *, charges: list[dict[str, Any]], **fields: Any) -> Any:
    data = job_form_data(BOOKINGS, customer=customer, charges=charges, **fields)
    return client.post(reverse("bookings:create"), data)


# --- Item 7: numbers too large ------------------------------------------------------------------


def test_the_issues_huge_line_is_a_form_error_not_a_booking(ops_client: Client, tenant: Tenant) -> None:
    customer = _customer(tenant)
    response = _post_booking(
        ops_client, customer, charges=[_charge(quantity="999999999.999", price="9999999999.99")], status="completed"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The quantity can be at most 1,000,000." in body
    assert "The unit price can be at most 10,000,000.00." in body
    assert not Booking.objects.exists()


def test_quantity_times_price_is_bounded_even_when_each_is_within_its_own_limit(
    ops_client: Client, tenant: Tenant
) -> None:
    customer = _customer(tenant)
    response = _post_booking(ops_client, customer, charges=[_charge(quantity="1000", price="1000000.00")])
    assert response.status_code == 200
    assert "a line can be at most 100,000,000.00" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_jobs_charges_cannot_total_more_than_an_invoice_holds(ops_client: Client, tenant: Tenant) -> None:
    customer = _customer(tenant)
    lines = [_charge(quantity="10", price="9999999.00") for _ in range(11)]  # 11 x 99,999,990 > 1e9
    response = _post_booking(ops_client, customer, charges=lines)
    assert response.status_code == 200
    assert "The charges would total 1,099,999,890.00; the most one invoice can hold" in response.content.decode()
    assert not Booking.objects.exists()


def test_raising_many_big_lines_refuses_the_invoice_instead_of_overflowing(
    accounts_client: Client, tenant: Tenant
) -> None:
    """Rows written before the limits (or around them) never make raising answer 500."""
    consolidated = _customer(tenant, name="Big Consolidated", invoicing_rule=InvoicingRule.CONSOLIDATED)
    legacy = _customer(tenant, name="Legacy Huge", invoicing_rule=InvoicingRule.PER_JOB)
    fine = _customer(tenant, name="Fine Co", invoicing_rule=InvoicingRule.PER_JOB)
    big_jobs = []
    for _ in range(12):  # each job at the line limit x 10 = 1e9; twelve of them overflow one invoice
        job = _booking(tenant=tenant, customer=consolidated)
        for position in range(10):
            BookingChargeFactory(job=job, quantity=Decimal("100"), unit_price=Decimal("1000000.00"), position=position)
        big_jobs.append(job)
    huge = _booking(tenant=tenant, customer=legacy)
    BookingChargeFactory(job=huge, quantity=Decimal("999999999.999"), unit_price=Decimal("9999999999.99"))
    ok = _booking(tenant=tenant, customer=fine)
    BookingChargeFactory(job=ok)

    keys = [f"b:{j.pk}" for j in [*big_jobs, huge, ok]]
    response = accounts_client.post(reverse("invoicing:raise"), {"job": keys, "mark_ready": "on"})

    assert response.status_code == 302
    messages = _messages(response)
    assert any(m.startswith("The invoice for B") and "(Big Consolidated) would total" in m for m in messages)
    assert any("(Legacy Huge) has a line of" in m for m in messages)
    invoice = Invoice.objects.get()  # only Fine Co's
    assert invoice.customer == fine
    assert invoice.number == "INV-000001"  # refused invoices take no number
    big_jobs[0].refresh_from_db()
    huge.refresh_from_db()
    assert big_jobs[0].status == huge.status == "completed"


def test_an_invoice_edit_cannot_push_a_line_past_the_limit(accounts_client: Client, tenant: Tenant) -> None:
    customer = _customer(tenant)
    job = _booking(tenant=tenant, customer=customer)
    BookingChargeFactory(job=job)
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=[job])
    response = accounts_client.post(
        reverse("invoicing:edit", args=[invoice.public_id]),
        _edit_payload(invoice, quantity="999999999.999", unit_price="9999999999.99"),
    )
    assert response.status_code == 200
    assert "The quantity can be at most 1,000,000." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.total == Decimal("110.00")


# --- Item 8: negative totals, dates, measures -----------------------------------------------------


def test_a_discount_line_is_fine_but_a_negative_total_is_refused(ops_client: Client, tenant: Tenant) -> None:
    customer = _customer(tenant)
    ok = _post_booking(ops_client, customer, charges=[_charge(price="100.00"), _charge("Discount", price="-20.00")])
    assert ok.status_code == 302
    refused = _post_booking(ops_client, customer, charges=[_charge(price="-100.00")])
    assert refused.status_code == 200
    assert "a negative total is a credit note, not an invoice" in refused.content.decode()
    assert Booking.objects.count() == 1


def test_raising_a_negative_total_stored_earlier_is_refused(accounts_client: Client, tenant: Tenant) -> None:
    customer = _customer(tenant, name="Minus Co")
    job = _booking(tenant=tenant, customer=customer)
    BookingChargeFactory(job=job, unit_price=Decimal("-100.00"))
    response = accounts_client.post(reverse("invoicing:raise"), {"job": [f"b:{job.pk}"], "mark_ready": "on"})
    assert response.status_code == 302
    assert _messages(response) == [
        f"The invoice for {job.number} (Minus Co) would total -110.00. Discount lines are fine, but a negative "
        "total is a credit note, not an invoice; raise the credit note in Xero."
    ]
    assert not Invoice.objects.exists()


def test_an_invoice_edit_to_a_negative_total_is_refused(accounts_client: Client, tenant: Tenant) -> None:
    job = _booking(tenant=tenant, customer=_customer(tenant))
    BookingChargeFactory(job=job)
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=[job])
    response = accounts_client.post(
        reverse("invoicing:edit", args=[invoice.public_id]), _edit_payload(invoice, unit_price="-100.00")
    )
    assert response.status_code == 200
    assert any("a negative total is a credit note" in m for m in _messages(response))
    invoice.refresh_from_db()
    assert invoice.total == Decimal("110.00")


def _edit_payload(invoice: Invoice, date: str = "", due_date: str = "", **line: str) -> dict[str, str]:
    only: InvoiceLine = invoice.lines.get()
    data = {
        "date": date or invoice.date.isoformat(),
        "due_date": due_date or invoice.due_date.isoformat(),
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-line_id": str(only.pk),
        "lines-0-description": "Linehaul",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "100.00",
        "lines-0-account_code": "200",
        "lines-0-tax_code": str(invoice.tenant.tax_codes.get(code="GST").pk),
    }
    data.update({f"lines-0-{k}": v for k, v in line.items()})
    return data


@pytest.mark.parametrize(
    ("date", "due_date", "error"),
    [
        ("0001-01-01", "9999-12-31", "Use a date between"),
        ("2026-12-01", "2026-11-30", "The due date cannot be before the invoice date."),
    ],
)
def test_invoice_dates_stay_in_a_sane_window_and_order(
    accounts_client: Client, tenant: Tenant, date: str, due_date: str, error: str
) -> None:
    job = _booking(tenant=tenant, customer=_customer(tenant))
    BookingChargeFactory(job=job)
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=[job])
    before = (invoice.date, invoice.due_date)
    response = accounts_client.post(
        reverse("invoicing:edit", args=[invoice.public_id]), _edit_payload(invoice, date=date, due_date=due_date)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    invoice.refresh_from_db()
    assert (invoice.date, invoice.due_date) == before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"pickup_date": "0001-01-01"}, "Use a date between"),
        ({"delivery_date": "9999-12-31"}, "Use a date between"),
        ({"pickup_date": "2026-11-22", "delivery_date": "2026-11-20"}, "delivery date cannot be before the pickup"),
        ({"weight_kg": "-1"}, "This cannot be negative."),
        ({"volume_m3": "-0.001"}, "This cannot be negative."),
    ],
)
def test_booking_dates_and_measures(ops_client: Client, tenant: Tenant, fields: dict[str, str], error: str) -> None:
    response = _post_booking(ops_client, _customer(tenant), charges=[_charge()], **fields)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Booking.objects.exists()


def test_warehouse_end_before_start_is_refused(ops_client: Client, tenant: Tenant) -> None:
    data = job_form_data(
        WAREHOUSE, customer=_customer(tenant), charges=[_charge()], start_date="2026-11-30", end_date="2026-11-01"
    )
    response = ops_client.post(reverse("warehouse:create"), data)
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not WarehouseJob.objects.exists()


def test_services_refuse_what_the_forms_refuse(tenant: Tenant) -> None:
    customer = _customer(tenant)
    today = timezone.localdate()
    cases: list[tuple[dict[str, Any], list[ChargeData]]] = [
        ({}, [ChargeData(description="x", quantity=Decimal("999999999.999"), unit_price=Decimal("9999999999.99"))]),
        ({}, [ChargeData(description="x", quantity=Decimal("1"), unit_price=Decimal("-1"))]),
        ({}, [ChargeData(description="Line\x07", quantity=Decimal("1"), unit_price=Decimal("1"))]),
        ({}, [ChargeData(description="x", quantity=Decimal("1"), unit_price=Decimal("1"), account_code="20\x1b0")]),
        ({"customer_reference": "PO\x0b1"}, []),
        ({"weight_kg": Decimal("-5")}, []),
        ({"pickup_date": today, "delivery_date": today - dt.timedelta(days=1)}, []),
        ({"pickup_date": dt.date(1, 1, 1)}, []),
    ]
    for fields, charges in cases:
        with pytest.raises(ValidationError):
            booking_create(tenant=tenant, customer=customer, charges=charges, **fields)
    assert not Booking.objects.exists()


# --- Item 8: control characters, hypothesis over forms and services --------------------------------

plain = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)
# Inside the text: Django strips whitespace (control or not) at the ends of a field, which is harmless.
word = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=8)
with_control = st.tuples(word, st.sampled_from(CONTROL_CHARACTERS), word).map("".join)


@EXAMPLES
@given(name=with_control, field=st.sampled_from(["name", "code"]))
@example(name="Acme\x01\x07\x1b\x0b\x0c\x7f Pty Ltd", field="name")
def test_customer_form_refuses_control_characters(ops_client: Client, tenant: Tenant, name: str, field: str) -> None:
    data = {
        "name": "Acme",
        "code": "ACME",
        "email": "",
        "billing_address": "1 Dock Rd\r\nSydney\tNSW",
        "payment_terms_days": "30",
        "currency": "AUD",
        "invoicing_rule": "per_job",
        "consolidation_schedule": "on_demand",
        "send_reference": "inherit",
        field: name,
    }
    before = Customer.objects.count()
    response = ops_client.post(reverse("customers:create"), data)
    assert response.status_code == 200
    assert "Remove the invisible control character" in response.content.decode()
    assert Customer.objects.count() == before


@EXAMPLES
@given(bad=with_control, field=st.sampled_from(["description", "account_code", "customer_reference"]))
@example(bad="Linehaul\x1b[31m", field="description")
def test_job_form_refuses_control_characters(ops_client: Client, tenant: Tenant, bad: str, field: str) -> None:
    customer = _customer(tenant)
    if field == "customer_reference":
        response = _post_booking(ops_client, customer, charges=[_charge()], customer_reference=bad)
    else:
        response = _post_booking(ops_client, customer, charges=[_charge(**{field: bad[:10]})])
    assert response.status_code == 200
    assert "Remove the invisible control character" in response.content.decode()
    assert not Booking.objects.exists()


@EXAMPLES
@given(text=plain.filter(lambda s: s.strip()))
def test_plain_text_of_any_script_is_accepted(ops_client: Client, tenant: Tenant, text: str) -> None:
    customer = _customer(tenant)
    response = _post_booking(ops_client, customer, charges=[_charge(description=text)], customer_reference=text)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Booking.objects.latest("pk")
    assert job.customer_reference == text.strip()
    assert job.charges.get().description == text.strip()  # type: ignore[attr-defined]


@EXAMPLES
@given(
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3),
    price=st.decimals(min_value=Decimal("-1e10"), max_value=Decimal("1e10"), places=2),
    lines=st.integers(min_value=1, max_value=12),
)
@example(quantity=Decimal("999999999.999"), price=Decimal("9999999999.99"), lines=1)
@example(quantity=Decimal("100"), price=Decimal("1000000.00"), lines=12)
def test_a_job_the_service_accepts_can_always_be_invoiced(
    tenant: Tenant, quantity: Decimal, price: Decimal, lines: int
) -> None:
    """Property: booking_create either refuses, or the job raises to an invoice without overflow."""
    customer = _customer(tenant)
    charges = [ChargeData(description=f"Line {i}", quantity=quantity, unit_price=price) for i in range(lines)]
    try:
        job = booking_create(tenant=tenant, customer=customer, charges=charges, status="completed")
    except ValidationError:
        assert (
            abs(quantity * price) > LINE_AMOUNT_MAX
            or not 0 <= quantity * price * lines <= TOTAL_MAX
            or (quantity > 1_000_000 or abs(price) > 10_000_000)
        )
        return
    refusals: list[str] = []
    invoices = invoice_raise_for_jobs(tenant=tenant, jobs=[job], refusals=refusals)
    # A job within the limits is invoiced unless tax takes it past the maximum, which is refused cleanly.
    assert len(invoices) + len(refusals) == 1
    for invoice in invoices:
        assert 0 <= invoice.total <= TOTAL_MAX


# --- Issue 8 §4: field limits ---------------------------------------------------------------------


@pytest.mark.parametrize(("length", "ok"), [(255, True), (256, False)])
def test_customer_name_is_limited_to_xeros_255(ops_client: Client, tenant: Tenant, length: int, ok: bool) -> None:
    data = {
        "name": "N" * length,
        "code": "LONG",
        "payment_terms_days": "30",
        "currency": "AUD",
        "invoicing_rule": "per_job",
        "consolidation_schedule": "on_demand",
        "send_reference": "inherit",
    }
    response = ops_client.post(reverse("customers:create"), data)
    assert (response.status_code == 302) is ok
    if not ok:
        assert "Ensure this value has at most 255 characters (it has 256)." in response.content.decode()


def test_account_code_is_limited_to_xeros_10(ops_client: Client, tenant: Tenant) -> None:
    response = _post_booking(ops_client, _customer(tenant), charges=[_charge(account_code="12345678901")])
    assert response.status_code == 200
    assert "Ensure this value has at most 10 characters (it has 11)." in response.content.decode()


def test_payment_terms_keep_due_dates_in_the_window(ops_client: Client, tenant: Tenant) -> None:
    data = {
        "name": "Slow Payer",
        "code": "SLOW",
        "payment_terms_days": "32767",
        "currency": "AUD",
        "invoicing_rule": "per_job",
        "consolidation_schedule": "on_demand",
        "send_reference": "inherit",
    }
    response = ops_client.post(reverse("customers:create"), data)
    assert response.status_code == 200
    assert "Payment terms can be at most 365 days." in response.content.decode()


# --- Item 8: the export payload is the last line of defence ----------------------------------------


# PostgreSQL itself refuses NUL, so that is the one character an old row cannot hold.
stored = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@EXAMPLES
@given(dirty=stored.map(lambda s: f"x{s}\x01\x07\x1b\x0b\x0c\x7f"))
def test_rows_stored_before_the_rules_reach_xero_without_control_characters(tenant: Tenant, dirty: str) -> None:
    from integrations.xero.export.payload import invoice_payload_build, payload_serialize
    from integrations.xero.models import XeroSettings

    customer = _customer(tenant, invoicing_rule=InvoicingRule.CONSOLIDATED)
    jobs = []
    for _ in range(2):  # two jobs: the per-line reference prefixes are built from the references too
        job = _booking(tenant=tenant, customer=customer, customer_reference=dirty)
        BookingChargeFactory(job=job, description=dirty, account_code=dirty[:20])
        jobs.append(job)
    (invoice,) = invoice_raise_for_jobs(tenant=tenant, jobs=jobs)
    settings, _ = XeroSettings.objects.get_or_create(tenant=tenant)
    settings.send_customer_reference, settings.reference_rule = True, "both"
    loaded = Invoice.objects.select_related("customer").prefetch_related("invoice_jobs", "lines").get(pk=invoice.pk)
    wire = payload_serialize([invoice_payload_build(invoice=loaded, xero_settings=settings, contact_id="c")])[0]
    texts = [wire.get("Reference") or "", wire["InvoiceNumber"]]
    texts += [str(line.get(key) or "") for line in wire["LineItems"] for key in ("Description", "AccountCode")]
    for text in texts:
        assert not any(unicodedata.category(ch) == "Cc" for ch in text), text
    assert wire["LineItems"][0]["Description"].startswith("x")
