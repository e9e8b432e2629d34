"""Payments in the sandbox (a person in Xero paying an invoice) as the real SDK reads them back, and
``GET /Invoices`` with ``If-Modified-Since`` and paging: what the payment-status sync depends on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from xero_python.accounting import Contact, Contacts, Invoice, Invoices, LineItem
from xero_python.exceptions import AccountingBadRequestException, HTTPStatusException

from integrations.xero.sandbox import DEMO_AU_ORG_ID
from integrations.xero.sandbox.client import SandboxControlError

AU = DEMO_AU_ORG_ID


def _create(sdk: Any, count: int = 1, *, amount: str = "100.00") -> list[str]:
    contact = sdk.accounting.create_contacts(AU, Contacts(contacts=[Contact(name="Acme Pty")])).contacts[0]
    invoices = [
        Invoice(
            type="ACCREC",
            contact=Contact(contact_id=contact.contact_id),
            invoice_number=f"FT-{n}",
            date=dt.date(2026, 11, 25),
            due_date=dt.date(2026, 12, 25),
            status="AUTHORISED",
            line_items=[
                LineItem(
                    description="Freight",
                    quantity=1,
                    unit_amount=Decimal(amount),
                    account_code="200",
                    tax_type="OUTPUT",
                )
            ],
        )
        for n in range(1, count + 1)
    ]
    created = []
    for start in range(0, count, 50):
        batch = Invoices(invoices=invoices[start : start + 50])
        created += [str(i.invoice_id) for i in sdk.accounting.create_invoices(AU, batch).invoices]
    return created


def test_a_part_payment_then_the_rest_makes_the_invoice_paid(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    (invoice_id,) = _create(xero_sandbox_sdk)  # 100.00 + 10% GST = 110.00

    xero_sandbox.control.pay(AU, invoice_id, "40.00", date="2026-12-01")
    part = xero_sandbox_sdk.accounting.get_invoice(AU, invoice_id).invoices[0]
    xero_sandbox.control.pay(AU, invoice_id, date="2026-12-03")
    paid = xero_sandbox_sdk.accounting.get_invoice(AU, invoice_id).invoices[0]

    assert (str(part.status), part.amount_paid, part.amount_due, part.fully_paid_on_date) == (
        "AUTHORISED", 40.0, 70.0, None,
    )  # fmt: skip
    assert [p.amount for p in part.payments] == [40.0]
    assert (str(paid.status), paid.amount_paid, paid.amount_due, paid.amount_credited) == (
        "PAID", 110.0, 0.0, 0.0,
    )  # fmt: skip
    assert paid.fully_paid_on_date == dt.date(2026, 12, 3)
    assert paid.updated_date_utc >= part.updated_date_utc


def test_payments_xero_would_refuse_are_refused(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    (invoice_id,) = _create(xero_sandbox_sdk)

    with pytest.raises(SandboxControlError, match="more than the amount due"):
        xero_sandbox.control.pay(AU, invoice_id, "110.01")
    with pytest.raises(SandboxControlError, match="positive"):
        xero_sandbox.control.pay(AU, invoice_id, "0")
    xero_sandbox.control.pay(AU, invoice_id)
    with pytest.raises(SandboxControlError, match="AUTHORISED"):
        xero_sandbox.control.pay(AU, invoice_id, "1.00")


def test_an_invoice_with_a_payment_cannot_be_edited(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    (invoice_id,) = _create(xero_sandbox_sdk)
    xero_sandbox.control.pay(AU, invoice_id, "10.00")

    with pytest.raises(AccountingBadRequestException) as refused:
        xero_sandbox_sdk.accounting.update_or_create_invoices(
            AU, Invoices(invoices=[Invoice(invoice_id=invoice_id, reference="changed")])
        )

    assert "payment or credit note allocated" in str(refused.value.error_data)
    assert xero_sandbox.control.invoices(AU)[0].get("Reference") is None


def test_if_modified_since_returns_only_what_changed_since(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    first, second, third = _create(xero_sandbox_sdk, 3)
    xero_sandbox.control.advance_clock(600)
    since = dt.datetime.fromtimestamp(xero_sandbox.control.state()["now"], dt.UTC).replace(microsecond=0)
    xero_sandbox.control.advance_clock(1)
    xero_sandbox.control.pay(AU, second, "5.00")

    changed = xero_sandbox_sdk.accounting.get_invoices(AU, if_modified_since=since, page=1).invoices
    everything = xero_sandbox_sdk.accounting.get_invoices(AU, page=1).invoices

    assert [str(i.invoice_id) for i in changed] == [second]
    assert {str(i.invoice_id) for i in everything} == {first, second, third}


def test_if_modified_since_accepts_xero_and_http_date_forms_and_refuses_garbage(
    xero_sandbox: Any, xero_sandbox_sdk: Any
) -> None:
    _create(xero_sandbox_sdk)
    api = xero_sandbox_sdk.accounting

    assert len(api.get_invoices(AU, if_modified_since=dt.datetime(2000, 1, 1)).invoices) == 1  # naive = UTC
    assert api.get_invoices(AU, if_modified_since=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)).invoices == []
    with pytest.raises(HTTPStatusException) as refused:
        api.api_client.call_api(
            f"{api.base_url}/Invoices", "GET", header_params={"xero-tenant-id": AU, "If-Modified-Since": "yesterday"},
            auth_settings=["OAuth2"], response_type="Invoices", _request_timeout=(5, 10),
        )  # fmt: skip
    assert refused.value.status == 400


def test_changed_invoices_come_100_to_a_page(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.config(rate_limits_enabled=False)
    ids = _create(xero_sandbox_sdk, 230)
    since = dt.datetime.fromtimestamp(xero_sandbox.control.state()["now"] + 60, dt.UTC).replace(microsecond=0)
    xero_sandbox.control.advance_clock(120)
    for invoice_id in ids[:205]:
        xero_sandbox.control.pay(AU, invoice_id, "1.00")

    pages = [xero_sandbox_sdk.accounting.get_invoices(AU, if_modified_since=since, page=n) for n in (1, 2, 3, 4)]

    assert [len(p.invoices) for p in pages] == [100, 100, 5, 0]
    assert pages[0].pagination.item_count == 205
    assert {str(i.invoice_id) for p in pages for i in p.invoices} == set(ids[:205])
    assert all(i.line_items for i in pages[0].invoices)  # a paged call carries line items
