"""Settle invoices whose fate is unknown by asking Xero, never by resending blindly.

An attempt ends *unknown* when the request may have reached Xero but no answer came back: a
time-out, a connection reset, a 5xx, or a worker killed mid-call (its attempt stays *pending*).
Before anything is sent again we look the invoice numbers up
(``GET /Invoices?InvoiceNumbers=…``); what Xero holds is adopted (outcome ADOPTED, the invoice
becomes exported with Xero's id), the rest goes back to *ready* so it can be sent again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone
from xero_python.accounting import AccountingApi

from integrations.xero.export.calls import xero_call
from integrations.xero.models import AttemptOutcome, ExportAttempt
from invoicing.models import Invoice, InvoiceStatus

LOOKUP_CHUNK = 50
#: After this many unanswered tries in one run an invoice is failed instead of resent forever.
MAX_UNKNOWN_TRIES = 5


def xero_invoices_by_number(*, api: AccountingApi, org: str, numbers: Sequence[str]) -> dict[str, dict[str, str]]:
    """InvoiceNumber → {"id", "status"} of the sales invoices Xero holds under those numbers."""
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = list(numbers[start : start + LOOKUP_CHUNK])
        result = xero_call(
            org=org,
            kind="invoices_get",
            fn=api.get_invoices,
            invoice_numbers=chunk,
            summary_only=True,
            page_size=100,
        )
        for inv in result.invoices or []:
            kind = getattr(inv.type, "value", inv.type)
            if kind == "ACCREC" and inv.invoice_number in chunk:
                status = getattr(inv.status, "value", inv.status)
                found[inv.invoice_number] = {"id": str(inv.invoice_id), "status": str(status or "")}
    return found


def invoices_settle_unknown(
    *, api: AccountingApi, org: str, invoices: Sequence[Invoice], run_id: int | None = None
) -> tuple[int, int]:
    """Look ``invoices`` (all EXPORTING, fate unknown) up in Xero; adopt or release each.

    Returns (adopted, released). Safe to run twice: every write is conditional on EXPORTING.
    """
    if not invoices:
        return 0, 0
    held = xero_invoices_by_number(api=api, org=org, numbers=[i.number for i in invoices])
    now = timezone.now()
    adopted = released = 0
    open_attempts = ExportAttempt.objects.filter(
        invoice__in=invoices, outcome__in=[AttemptOutcome.PENDING, AttemptOutcome.UNKNOWN]
    )
    for invoice in invoices:
        found = held.get(invoice.number)
        if found:
            changed = Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.EXPORTING).update(
                status=InvoiceStatus.EXPORTED,
                xero_invoice_id=found["id"],
                exported_at=now,
                export_error="",
                exporting_since=None,
            )
            open_attempts.filter(invoice=invoice).update(
                outcome=AttemptOutcome.ADOPTED,
                finished_at=now,
                response_payload={"InvoiceID": found["id"], "Status": found["status"], "source": "lookup"},
            )
            adopted += changed
            continue
        tries = ExportAttempt.objects.filter(
            invoice=invoice, outcome=AttemptOutcome.UNKNOWN, **({"run_id": run_id} if run_id else {})
        ).count()
        give_up = tries + 1 >= MAX_UNKNOWN_TRIES
        open_attempts.filter(invoice=invoice).update(
            outcome=AttemptOutcome.UNKNOWN,
            finished_at=now,
            error="No answer from Xero, and Xero does not hold this invoice number: "
            + ("giving up." if give_up else "it will be sent again."),
        )
        Invoice.objects.filter(pk=invoice.pk, status=InvoiceStatus.EXPORTING).update(
            status=InvoiceStatus.EXPORT_FAILED if give_up else InvoiceStatus.READY,
            export_error=f"Xero did not answer {MAX_UNKNOWN_TRIES} times; export it again later." if give_up else "",
            exporting_since=None,
        )
        released += 1
    return adopted, released


def invoices_stuck(*, older_than: dt.timedelta, tenant_id: int | None = None) -> list[Invoice]:
    """Invoices left EXPORTING for longer than ``older_than`` (a worker died, a task was lost)."""
    cutoff = timezone.now() - older_than
    qs = Invoice.objects.filter(status=InvoiceStatus.EXPORTING).filter(
        Q(exporting_since__lte=cutoff) | Q(exporting_since__isnull=True)
    )
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    return list(qs.order_by("tenant_id", "id"))
