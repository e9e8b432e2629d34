"""The JSON MYOB receives for a TMS customer and a TMS invoice (Service layout). Pure functions.

Product decisions where the sources disagree or are silent (see the MYOB notes in issue 10):

- ``IsTaxInclusive`` is always sent: MYOB's SDK defaults it to true, which would read ex-GST amounts
  as GST-inclusive.
- ``CustomerPurchaseOrderNumber`` is capped at 20 characters (the API page says 255, the older import
  specs 20; we keep to the smaller until a real file shows more is kept). When the references do not fit,
  as many whole ones as fit go there with "+N more", and the full list goes to ``Comment``.
- ``JournalMemo`` starts with ``TMS invoice <id> (<number>)``: a second key to find the invoice by
  after an uncertain POST, kept whole however long the references are. JournalMemo, Comment and line
  Description are cut to 255 characters (old import specs; MYOB's pages were silent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .identifiers import myob_display_id, myob_invoice_number

PO_NUMBER_MAX = 20
MEMO_MAX = 255
DESCRIPTION_MAX = 255
COMPANY_NAME_MAX = 50
JOIN = ", "


@dataclass(frozen=True)
class MyobLine:
    description: str
    total: Decimal
    account_uid: str
    tax_code_uid: str


@dataclass(frozen=True)
class MyobInvoiceDraft:
    tms_invoice_id: int
    tms_number: str
    date: dt.date
    customer_uid: str
    is_tax_inclusive: bool
    lines: Sequence[MyobLine]
    references: Sequence[str] = ()  # what the tenant's reference rule says to send, in job order


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def references_distinct(references: Sequence[str | None]) -> list[str]:
    seen: set[str] = set()
    out = []
    for raw in references:
        ref = (raw or "").strip()
        if ref and ref not in seen:
            seen.add(ref)
            out.append(ref)
    return out


def references_fit(references: Sequence[str], limit: int) -> str:
    """Whole references joined by ", " plus " +N more", within ``limit`` (the first one cut if alone too long)."""
    joined = JOIN.join(references)
    if len(joined) <= limit:
        return joined
    for count in range(len(references) - 1, 0, -1):
        text = f"{JOIN.join(references[:count])} +{len(references) - count} more"
        if len(text) <= limit:
            return text
    return references[0][:limit]


def journal_memo_key(*, tms_invoice_id: int, tms_number: str) -> str:
    """The start of every JournalMemo we send: unique per TMS invoice (the "(" ends the id)."""
    return f"TMS invoice {tms_invoice_id} ({tms_number})"


def service_invoice_payload(*, draft: MyobInvoiceDraft) -> dict[str, Any]:
    """POST body for ``/Sale/Invoice/Service``. Never carries UID/RowID/RowVersion (MYOB answers 409)."""
    if not draft.lines:
        raise ValueError("an invoice needs at least one line")
    references = references_distinct(draft.references)
    memo = journal_memo_key(tms_invoice_id=draft.tms_invoice_id, tms_number=draft.tms_number)
    if references:
        memo = _cut(f"{memo}; Ref: {JOIN.join(references)}", MEMO_MAX)
    payload: dict[str, Any] = {
        "Number": myob_invoice_number(number=draft.tms_number),
        "Date": f"{draft.date.isoformat()}T00:00:00",
        "Customer": {"UID": draft.customer_uid},
        "IsTaxInclusive": draft.is_tax_inclusive,
        "JournalMemo": memo,
        "Lines": [
            {
                "Type": "Transaction",
                "Description": _cut(line.description.strip(), DESCRIPTION_MAX),
                "Total": float(line.total.quantize(Decimal("0.01"), ROUND_HALF_UP)),
                "Account": {"UID": line.account_uid},
                "TaxCode": {"UID": line.tax_code_uid},
            }
            for line in draft.lines
        ],
    }
    if references:
        payload["CustomerPurchaseOrderNumber"] = references_fit(references, PO_NUMBER_MAX)
        payload["Comment"] = _cut(f"Ref: {JOIN.join(references)}", MEMO_MAX)
    return payload


def myob_company_name(*, name: str) -> str:
    """CompanyName as sent (≤ 50): customer look-ups by exact name must use the same text."""
    return _cut(name.strip(), COMPANY_NAME_MAX)


def customer_payload(*, code: str, name: str, tax_code_uid: str, freight_tax_code_uid: str) -> dict[str, Any]:
    """POST body for ``/Contact/Customer``: a company card whose DisplayID is the TMS code (≤ 15)."""
    return {
        "CompanyName": myob_company_name(name=name),
        "IsIndividual": False,
        "IsActive": True,
        "DisplayID": myob_display_id(code=code),
        "SellingDetails": {"TaxCode": {"UID": tax_code_uid}, "FreightTaxCode": {"UID": freight_tax_code_uid}},
    }
