"""Invoices in the sandbox through the real SDK: batches, summarizeErrors, validations, totals,
idempotent replay and look-ups — the behaviours the export engine's exactly-once logic depends on."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from xero_python.accounting import (
    Contact,
    Contacts,
    CurrencyCode,
    Invoice,
    Invoices,
    LineAmountTypes,
    LineItem,
    LineItemTracking,
)
from xero_python.exceptions import AccountingBadRequestException, HTTPStatusException, NotFoundException

from integrations.xero.sandbox import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID
from integrations.xero.sandbox.testing import sdk_clients

AU = DEMO_AU_ORG_ID


@pytest.fixture
def contact_id(xero_sandbox_sdk: Any) -> str:
    contacts = Contacts(contacts=[Contact(name="Acme Pty", contact_number="C-001")])
    return str(xero_sandbox_sdk.accounting.create_contacts(AU, contacts).contacts[0].contact_id)


def _invoice(contact_id: str, number: str, **kw: Any) -> Invoice:
    line = kw.pop("line", None) or LineItem(
        description="Sydney to Melbourne, 2 pallets", quantity=2, unit_amount=Decimal("150.00"), account_code="200",
        tax_type="OUTPUT",
    )  # fmt: skip
    defaults: dict[str, Any] = {
        "type": "ACCREC",
        "contact": Contact(contact_id=contact_id),
        "invoice_number": number,
        "date": dt.date(2026, 11, 25),
        "due_date": dt.date(2026, 12, 25),
        "line_amount_types": LineAmountTypes.EXCLUSIVE,
        "currency_code": CurrencyCode.AUD,
        "status": "AUTHORISED",
        "line_items": [line],
    }
    defaults.update(kw)
    return Invoice(**defaults)


def _put(sdk: Any, *invoices: Invoice, **kw: Any) -> list[Any]:
    return list(sdk.accounting.create_invoices(AU, Invoices(invoices=list(invoices)), **kw).invoices)


def test_an_invoice_is_created_with_xero_totals_and_dates(xero_sandbox_sdk: Any, contact_id: str) -> None:
    (created,) = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0001", reference="PO-77"))

    assert created.status_attribute_string == "OK"
    assert (created.sub_total, created.total_tax, created.total) == (
        Decimal("300.0"),
        Decimal("30.0"),
        Decimal("330.0"),
    )
    assert created.date == dt.date(2026, 11, 25) and created.due_date == dt.date(2026, 12, 25)
    assert created.contact.name == "Acme Pty"
    assert created.reference == "PO-77"
    assert created.line_items[0].line_amount == Decimal("300.0") and created.line_items[0].tax_amount == Decimal("30.0")
    assert created.line_amount_types == LineAmountTypes.EXCLUSIVE
    assert len(created.invoice_id) == 36


def test_inclusive_amounts_carry_the_tax_inside(xero_sandbox_sdk: Any, contact_id: str) -> None:
    line = LineItem(
        description="Storage", quantity=1, unit_amount=Decimal("110.00"), account_code="200", tax_type="OUTPUT"
    )

    (created,) = _put(
        xero_sandbox_sdk, _invoice(contact_id, "FT-0002", line=line, line_amount_types=LineAmountTypes.INCLUSIVE)
    )

    assert (created.sub_total, created.total_tax, created.total) == (
        Decimal("100.0"),
        Decimal("10.0"),
        Decimal("110.0"),
    )


def test_reference_is_absent_when_not_sent(xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str) -> None:
    _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0003"))

    (stored,) = xero_sandbox.control.invoices(AU)

    assert "Reference" not in stored
    assert "Reference" not in xero_sandbox.control.requests(method="PUT", path="/Invoices")[0]["body"]["Invoices"][0]


def test_tracking_is_resolved_to_category_and_option_ids(xero_sandbox_sdk: Any, contact_id: str) -> None:
    line = LineItem(description="Freight", quantity=1, unit_amount=10, account_code="200",
                    tracking=[LineItemTracking(name="Region", option="North")])  # fmt: skip

    (created,) = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0004", line=line))

    tracking = created.line_items[0].tracking[0]
    assert (tracking.name, tracking.option) == ("Region", "North")
    assert len(tracking.tracking_category_id) == 36 and len(tracking.tracking_option_id) == 36


def test_summarize_errors_false_answers_200_with_each_outcome(
    xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str
) -> None:
    bad_line = LineItem(description="x", quantity=1, unit_amount=1, account_code="999")

    result = _put(
        xero_sandbox_sdk,
        _invoice(contact_id, "FT-0010"),
        _invoice(contact_id, "FT-0011", line=bad_line),
        _invoice(contact_id, "FT-0012"),
        summarize_errors=False,
    )

    assert [r.status_attribute_string for r in result] == ["OK", "ERROR", "OK"]
    assert result[1].has_errors is True
    assert [e.message for e in result[1].validation_errors] == [
        "Account code '999' is not a valid code for this document."
    ]
    assert result[1].invoice_id == "00000000-0000-0000-0000-000000000000"
    assert sorted(i["InvoiceNumber"] for i in xero_sandbox.control.invoices(AU)) == ["FT-0010", "FT-0012"]


def test_without_summarize_errors_one_failure_is_a_400_but_the_valid_ones_are_created(
    xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str
) -> None:
    with pytest.raises(AccountingBadRequestException) as error:
        _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0020"), _invoice(contact_id, "FT-0021", reference="R" * 256))

    data = error.value.error_data
    assert (data["ErrorNumber"], data["Type"], data["Message"]) == (
        10,
        "ValidationException",
        "A validation exception occurred",
    )
    assert data["Elements"][0]["InvoiceNumber"] == "FT-0021"
    assert error.value.reason == "Reference must not be more than 255 characters long."
    assert [i["InvoiceNumber"] for i in xero_sandbox.control.invoices(AU)] == ["FT-0020"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"contact": Contact(contact_id="5b4b7c1e-0000-4000-8000-000000000001")}, "could not be found"),
        (
            {"line": LineItem(description="x", quantity=1, unit_amount=1, account_code="200", tax_type="BOGUS")},
            "TaxType code 'BOGUS'",
        ),
        ({"line_items": []}, "At least one line item"),
    ],
    ids=["unknown-contact", "unknown-tax-type", "no-lines"],
)
def test_invoice_validations(xero_sandbox_sdk: Any, contact_id: str, change: dict[str, Any], message: str) -> None:
    (result,) = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0030", **change), summarize_errors=False)

    assert result.status_attribute_string == "ERROR"
    assert message in result.validation_errors[0].message


def test_a_contact_of_another_organisation_does_not_exist_here(xero_sandbox_sdk: Any, contact_id: str) -> None:
    result = xero_sandbox_sdk.accounting.create_invoices(
        DEMO_NZ_ORG_ID, Invoices(invoices=[_invoice(contact_id, "FT-0031", currency_code=CurrencyCode.NZD,
                                                      line=LineItem(description="x", quantity=1, unit_amount=1))]),
        summarize_errors=False,
    ).invoices[0]  # fmt: skip

    assert result.has_errors is True


def test_an_invoice_number_is_unique_per_organisation(xero_sandbox_sdk: Any, contact_id: str) -> None:
    _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0040"))

    (again,) = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0040"), summarize_errors=False)

    assert again.validation_errors[0].message == "Invoice # must be unique."


def test_an_idempotency_key_replays_the_first_answer(xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str) -> None:
    first = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0050"), summarize_errors=False, idempotency_key="batch-1")

    second = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0050"), summarize_errors=False, idempotency_key="batch-1")

    assert second[0].status_attribute_string == "OK"
    assert second[0].invoice_id == first[0].invoice_id
    assert len(xero_sandbox.control.invoices(AU)) == 1
    assert xero_sandbox.control.stats()["events"]["idempotent_replays"] == 1
    assert [r["idempotency_key"] for r in xero_sandbox.control.requests(method="PUT", path="/Invoices")] == [
        "batch-1",
        "batch-1",
    ]


def test_a_new_idempotency_key_is_processed_again(xero_sandbox_sdk: Any, contact_id: str) -> None:
    _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0051"), summarize_errors=False, idempotency_key="k-1")

    (second,) = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0051"), summarize_errors=False, idempotency_key="k-2")

    assert second.validation_errors[0].message == "Invoice # must be unique."


def test_invoices_are_found_by_number_id_status_and_page(xero_sandbox_sdk: Any, contact_id: str) -> None:
    for start in range(0, 150, 50):
        _put(xero_sandbox_sdk, *[_invoice(contact_id, f"FT-{n:04d}", status="DRAFT" if n % 2 else "AUTHORISED")
                                 for n in range(start, start + 50)])  # fmt: skip
    api = xero_sandbox_sdk.accounting

    by_number = api.get_invoices(AU, invoice_numbers=["FT-0007", "FT-0100", "NOPE"]).invoices
    by_id = api.get_invoices(AU, i_ds=[by_number[0].invoice_id]).invoices
    drafts = api.get_invoices(AU, statuses=["DRAFT"], page=1).invoices
    page_two = api.get_invoices(AU, page=2)
    single = api.get_invoice(AU, by_number[1].invoice_id).invoices[0]

    assert sorted(i.invoice_number for i in by_number) == ["FT-0007", "FT-0100"]
    assert [i.invoice_number for i in by_id] == [by_number[0].invoice_number]
    assert len(drafts) == 75 and all(i.status == "DRAFT" for i in drafts)
    assert len(page_two.invoices) == 50 and page_two.pagination.item_count == 150
    assert single.invoice_number == by_number[1].invoice_number and single.line_items


def test_an_unknown_invoice_is_404(xero_sandbox_sdk: Any) -> None:
    with pytest.raises(NotFoundException):
        xero_sandbox_sdk.accounting.get_invoice(AU, "5b4b7c1e-0000-4000-8000-000000000009")


def test_post_updates_an_invoice_by_id(xero_sandbox_sdk: Any, contact_id: str) -> None:
    (created,) = _put(xero_sandbox_sdk, _invoice(contact_id, "FT-0060", status="DRAFT"))

    updated = xero_sandbox_sdk.accounting.update_or_create_invoices(
        AU, Invoices(invoices=[Invoice(invoice_id=created.invoice_id, reference="Changed", status="AUTHORISED")])
    ).invoices[0]

    assert (updated.invoice_id, updated.reference, updated.status, updated.total) == (
        created.invoice_id, "Changed", "AUTHORISED", created.total,
    )  # fmt: skip


def test_invoices_matching_the_reject_rule_fail_validation(
    xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str
) -> None:
    xero_sandbox.control.config(reject_invoice_number_regex=r"^FT-00(7|8)")

    result = _put(xero_sandbox_sdk, *[_invoice(contact_id, f"FT-00{n}0") for n in (6, 7, 8)], summarize_errors=False)

    assert [r.status_attribute_string for r in result] == ["OK", "ERROR", "ERROR"]
    assert result[1].validation_errors[0].message == "Rejected by the sandbox (reject_invoice_number_regex)."


def test_a_request_over_the_size_ceiling_is_413(xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str) -> None:
    xero_sandbox.control.config(max_body_bytes=1000)

    with pytest.raises(HTTPStatusException) as error:
        _put(xero_sandbox_sdk, *[_invoice(contact_id, f"FT-{n:04d}") for n in range(5)])

    assert error.value.status == 413
    assert xero_sandbox.control.invoices(AU) == []


def test_the_same_key_sent_twice_at_once_creates_once(
    xero_sandbox: Any, xero_sandbox_sdk: Any, contact_id: str
) -> None:
    xero_sandbox.control.config(latency_seconds=0.2)
    token = xero_sandbox.control.issue_token(org_ids=[AU])
    clients = [sdk_clients(xero_sandbox.base_url, token) for _ in range(2)]
    barrier = threading.Barrier(2)
    ids: list[str] = []

    def send(sdk: Any) -> None:
        barrier.wait()
        ids.append(
            _put(sdk, _invoice(contact_id, "FT-0090"), summarize_errors=False, idempotency_key="same")[0].invoice_id
        )

    threads = [threading.Thread(target=send, args=(sdk,)) for sdk in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(ids) == 2 and ids[0] == ids[1]
    assert len(xero_sandbox.control.invoices(AU)) == 1


def test_an_idempotency_key_belongs_to_one_organisation(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    contacts = Contacts(contacts=[Contact(name="Kiwi Ltd")])
    kiwi = xero_sandbox_sdk.accounting.create_contacts(DEMO_NZ_ORG_ID, contacts).contacts[0].contact_id
    au_contact = xero_sandbox_sdk.accounting.create_contacts(AU, Contacts(contacts=[Contact(name="Acme")])).contacts[0]
    nz_line = LineItem(description="x", quantity=1, unit_amount=5, account_code="200", tax_type="OUTPUT2")
    nz_invoice = _invoice(kiwi, "FT-0091", currency_code=CurrencyCode.NZD, line=nz_line)

    _put(xero_sandbox_sdk, _invoice(au_contact.contact_id, "FT-0091"), idempotency_key="same-key")
    nz = xero_sandbox_sdk.accounting.create_invoices(
        DEMO_NZ_ORG_ID, Invoices(invoices=[nz_invoice]), idempotency_key="same-key"
    )

    assert nz.invoices[0].currency_code == CurrencyCode.NZD
    assert len(xero_sandbox.control.invoices(DEMO_NZ_ORG_ID)) == 1
