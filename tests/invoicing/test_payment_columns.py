"""Payment status read back from Xero on the invoice page and as filterable list columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from invoicing.models import Invoice, InvoiceStatus
from invoicing.payment_status import PaymentState, invoice_payment_states_record
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def _exported(tenant: Tenant, number: str, *, due: dt.date, xero_id: str) -> Invoice:
    customer, _ = Customer.objects.get_or_create(tenant=tenant, code="ACME", defaults={"name": "Acme Pty"})
    return Invoice.objects.create(
        tenant=tenant, number=number, customer=customer, due_date=due, currency="AUD",
        status=InvoiceStatus.EXPORTED, xero_invoice_id=xero_id, total=Decimal("110.00"),
    )  # fmt: skip


def _state(xero_id: str, status: str, paid: str, due: str, *, on: dt.date | None = None) -> PaymentState:
    return PaymentState(external_id=xero_id, status=status, amount_paid=Decimal(paid), amount_credited=Decimal(0),
                        amount_due=Decimal(due), fully_paid_on=on, updated_at=timezone.now())  # fmt: skip


@pytest.fixture
def invoices(tenant: Tenant) -> dict[str, Invoice]:
    today = timezone.localdate()
    ids = {n: f"00000000-0000-4000-8000-00000000000{i}" for i, n in enumerate(("late", "part", "paid", "fresh", "new"))}
    made = {
        "late": _exported(tenant, "INV-LATE", due=today - dt.timedelta(days=3), xero_id=ids["late"]),
        "part": _exported(tenant, "INV-PART", due=today - dt.timedelta(days=1), xero_id=ids["part"]),
        "paid": _exported(tenant, "INV-PAID", due=today - dt.timedelta(days=9), xero_id=ids["paid"]),
        "fresh": _exported(tenant, "INV-FRESH", due=today + dt.timedelta(days=9), xero_id=ids["fresh"]),
        "new": _exported(tenant, "INV-NEW", due=today - dt.timedelta(days=9), xero_id=ids["new"]),
    }
    invoice_payment_states_record(tenant=tenant, states=[
        _state(ids["late"], "AUTHORISED", "0", "110"),
        _state(ids["part"], "AUTHORISED", "40", "70"),
        _state(ids["paid"], "PAID", "110", "0", on=dt.date(2026, 12, 2)),
        _state(ids["fresh"], "AUTHORISED", "0", "110"),
    ])  # fmt: skip
    return made


def _numbers(client: Client, **query: str) -> list[str]:
    html = client.get(reverse("invoicing:list"), query).content.decode()
    return sorted(n for n in ("INV-LATE", "INV-PART", "INV-PAID", "INV-FRESH", "INV-NEW") if f">{n}<" in html)


def test_the_list_filters_unpaid_and_overdue(accounts_client: Client, invoices: dict[str, Invoice]) -> None:
    assert _numbers(accounts_client, payment="overdue") == ["INV-LATE", "INV-PART"]
    assert _numbers(accounts_client, payment="unpaid") == ["INV-FRESH", "INV-LATE", "INV-PART"]
    assert _numbers(accounts_client, payment="paid") == ["INV-PAID"]
    assert _numbers(accounts_client, payment="part_paid") == ["INV-PART"]
    assert len(_numbers(accounts_client)) == 5


def test_the_list_shows_payment_columns(accounts_client: Client, invoices: dict[str, Invoice]) -> None:
    html = accounts_client.get(reverse("invoicing:list")).content.decode()

    assert "Unpaid and overdue" in html
    assert "Part paid, overdue" in html and ">Overdue<" in html and ">Paid<" in html and ">Awaiting payment<" in html


def test_a_bad_payment_filter_is_a_form_error_not_a_500(accounts_client: Client, invoices: dict[str, Invoice]) -> None:
    assert accounts_client.get(reverse("invoicing:list"), {"payment": "<script>"}).status_code == 200


def test_the_invoice_page_shows_what_xero_says(accounts_client: Client, invoices: dict[str, Invoice]) -> None:
    part = accounts_client.get(reverse("invoicing:detail", args=[invoices["part"].public_id])).content.decode()
    paid = accounts_client.get(reverse("invoicing:detail", args=[invoices["paid"].public_id])).content.decode()
    new = accounts_client.get(reverse("invoicing:detail", args=[invoices["new"].public_id])).content.decode()

    assert "Payment in Xero" in part and "Part paid, overdue" in part
    assert "AUD 40.00" in part and "AUD 70.00" in part
    assert "2 December 2026" in paid and ">Paid<" in paid
    assert "Not read back from Xero yet" in new
