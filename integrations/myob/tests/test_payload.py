"""The MYOB Number and DisplayID rules and the service invoice payload (pure functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.myob.identifiers import myob_display_id, myob_invoice_number, number_matches
from integrations.myob.payload import (
    MyobInvoiceDraft,
    MyobLine,
    customer_payload,
    references_fit,
    service_invoice_payload,
)

UID = "11111111-2222-3333-4444-555555555555"


def _draft(**extra: object) -> MyobInvoiceDraft:
    line = MyobLine(description="Linehaul", total=Decimal("100.005"), account_uid=UID, tax_code_uid=UID)
    values: dict[str, object] = {
        "tms_invoice_id": 42,
        "tms_number": "INV-000042",
        "date": dt.date(2026, 12, 1),
        "customer_uid": UID,
        "is_tax_inclusive": False,
        "lines": [line],
    }
    values.update(extra)
    return MyobInvoiceDraft(**values)  # type: ignore[arg-type]


def test_short_numbers_are_kept_long_ones_are_shortened_deterministically() -> None:
    assert myob_invoice_number(number="INV-000042") == "INV-000042"
    assert myob_invoice_number(number=" 1234 ") == "1234"
    long = myob_invoice_number(number="ACMEFREIGHT-INV-0000042")
    assert len(long) == 13 and long.startswith("ACMEFR-")
    assert long == myob_invoice_number(number="ACMEFREIGHT-INV-0000042")
    assert long != myob_invoice_number(number="ACMEFREIGHT-INV-0000043")
    assert myob_invoice_number(number="INV 42") != "INV 42"  # a space is not kept
    with pytest.raises(ValueError):
        myob_invoice_number(number="  ")


@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_number_and_display_id_always_fit(text: str) -> None:
    assert 1 <= len(myob_invoice_number(number=text)) <= 13
    assert 1 <= len(myob_display_id(code=text)) <= 15


@given(st.lists(st.from_regex(r"[A-Z]{3}-[0-9]{1,30}", fullmatch=True), min_size=2, max_size=40, unique=True))
def test_long_numbers_do_not_collide(numbers: list[str]) -> None:
    mapped = {myob_invoice_number(number=n) for n in numbers}
    assert len(mapped) == len(numbers)


def test_display_id() -> None:
    assert myob_display_id(code="CUS000001") == "CUS000001"
    assert len(myob_display_id(code="A-VERY-LONG-CUSTOMER-CODE")) == 15


def test_number_matches_allows_only_leading_zeros() -> None:
    assert number_matches(stored="00001234", wanted="1234")
    assert number_matches(stored="1234", wanted="1234")
    assert not number_matches(stored="00091234", wanted="1234")
    assert not number_matches(stored="X1234", wanted="1234")


def test_payload_is_explicit_about_tax_and_carries_the_tms_id() -> None:
    payload = service_invoice_payload(draft=_draft())
    assert payload["IsTaxInclusive"] is False
    assert payload["Number"] == "INV-000042"
    assert payload["Date"] == "2026-12-01T00:00:00"
    assert payload["JournalMemo"] == "TMS invoice 42 (INV-000042)"
    assert "CustomerPurchaseOrderNumber" not in payload and "Comment" not in payload
    assert payload["Lines"] == [
        {
            "Type": "Transaction",
            "Description": "Linehaul",
            "Total": 100.01,
            "Account": {"UID": UID},
            "TaxCode": {"UID": UID},
        }
    ]
    assert not {"UID", "RowVersion", "RowID"} & set(payload)
    assert service_invoice_payload(draft=_draft(is_tax_inclusive=True))["IsTaxInclusive"] is True


def test_references_fit_po_number_and_full_list_goes_to_comment_and_memo() -> None:
    refs = ("PO-1", "PO-1", " ", "CUSTOMER-REFERENCE-THAT-IS-LONG", "PO-3")
    payload = service_invoice_payload(draft=_draft(references=refs))
    assert payload["CustomerPurchaseOrderNumber"] == "PO-1 +2 more"
    assert payload["Comment"] == "Ref: PO-1, CUSTOMER-REFERENCE-THAT-IS-LONG, PO-3"
    assert payload["JournalMemo"] == "TMS invoice 42 (INV-000042); Ref: PO-1, CUSTOMER-REFERENCE-THAT-IS-LONG, PO-3"
    single = service_invoice_payload(draft=_draft(references=("CUSTOMER-REFERENCE-THAT-IS-LONG",)))
    assert single["CustomerPurchaseOrderNumber"] == "CUSTOMER-REFERENCE-T"


def test_long_texts_are_cut_to_255_and_the_memo_keeps_the_tms_id() -> None:
    refs = tuple(f"REFERENCE-{n:04d}" for n in range(40))
    payload = service_invoice_payload(
        draft=_draft(
            references=refs,
            lines=[MyobLine(description="d" * 400, total=Decimal(1), account_uid=UID, tax_code_uid=UID)],
        )
    )
    assert len(payload["JournalMemo"]) == 255 and payload["JournalMemo"].startswith("TMS invoice 42 (INV-000042)")
    assert len(payload["Comment"]) == 255 and payload["Comment"].endswith("...")
    assert len(payload["Lines"][0]["Description"]) == 255
    assert len(payload["CustomerPurchaseOrderNumber"]) <= 20


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=10), st.integers(min_value=1, max_value=60))
def test_references_fit_never_exceeds_the_limit(refs: list[str], limit: int) -> None:
    assert len(references_fit(refs, limit)) <= limit


def test_customer_payload() -> None:
    payload = customer_payload(code="ACME", name="  Acme Pty Ltd ", tax_code_uid=UID, freight_tax_code_uid=UID)
    assert payload["DisplayID"] == "ACME" and payload["CompanyName"] == "Acme Pty Ltd"
    assert payload["IsIndividual"] is False
    assert payload["SellingDetails"] == {"TaxCode": {"UID": UID}, "FreightTaxCode": {"UID": UID}}
    assert (
        len(customer_payload(code="A", name="x" * 80, tax_code_uid=UID, freight_tax_code_uid=UID)["CompanyName"]) == 50
    )
