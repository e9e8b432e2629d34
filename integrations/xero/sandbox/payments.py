"""A person in Xero applying a payment to an invoice (driven by the control API, not the accounting API).

The invoice then carries what Xero shows: ``Payments[]``, ``AmountPaid``, ``AmountDue``, and once nothing
is due ``Status`` PAID with ``FullyPaidOnDate``; ``UpdatedDateUTC`` moves (so ``If-Modified-Since`` finds
it) and an INVOICE UPDATE webhook event is queued.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from . import webhooks
from .shapes import money as m
from .shapes import ms_date, ms_datetime, new_id, parse_date, to_decimal
from .state import SandboxState


def payment_apply(
    state: SandboxState,
    *,
    org_id: str,
    invoice_id: str,
    amount: object | None = None,
    date: str | None = None,
    reference: str | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """Pay ``amount`` (default: all that is due) on an AUTHORISED invoice; returns (invoice, error)."""
    with state.lock:
        org = state.orgs.get(org_id.lower())
        if org is None:
            return None, "org_id must name a sandbox organisation"
        record = org.invoices.get(invoice_id.lower())
        if record is None:
            return None, f"Invoice {invoice_id} could not be found."
        if record["Status"] != "AUTHORISED":
            return None, "Payments can only be made against approved (AUTHORISED) invoices."
        due = Decimal(str(record["AmountDue"]))
        value = to_decimal(amount, due) if amount is not None else due
        if value is None or value <= 0:
            return None, "The payment amount must be a positive number."
        if value > due:
            return None, "The payment amount cannot be more than the amount due."
        day = parse_date(date) if date else dt.datetime.fromtimestamp(state.now(), dt.UTC).date()
        if day is None:
            return None, "The payment date must be a valid date."
        payment = {"PaymentID": new_id(), "Date": ms_date(day), "Amount": m(value), "CurrencyRate": 1.0,
                   "HasAccount": False, "HasValidationErrors": False}  # fmt: skip
        if reference:
            payment["Reference"] = str(reference)
        updated = dict(record)  # stored records are replaced, never mutated (see invoice_view)
        updated["Payments"] = [*record.get("Payments", []), payment]
        updated["AmountPaid"] = m(Decimal(str(record["AmountPaid"])) + value)
        updated["AmountDue"] = m(due - value)
        updated["UpdatedDateUTC"] = ms_datetime(state.now())
        if due - value == 0:
            updated["Status"] = "PAID"
            updated["FullyPaidOnDate"] = ms_date(day)
        org.invoices[updated["InvoiceID"]] = updated
        state.count("events", "payments_applied")
        webhooks.event_queue(state, org_id=org.org_id, resource_id=updated["InvoiceID"], event_type="UPDATE")
        return updated, None
