"""Raising invoices from completed jobs, and moving them through their life.

Concurrency rules (why the code looks the way it does):
* Raising locks the candidate job rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and re-checks
  ``status = completed`` under the lock, so two requests racing for the same job never both
  invoice it; the loser simply finds nothing to do. The partial unique constraints on
  :class:`InvoiceJob` are the database's backstop; if they ever fire we report a clean error.
* Status changes are conditional ``UPDATE … WHERE status IN (…)`` statements (the claim pattern
  the export engine uses too), so a void can never overtake an export that already claimed the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking
from customers.models import Customer
from freighttracker.validators import LINE_AMOUNT_MAX, line_amount_check, total_check
from invoicing.bulk import RaiseResult, invoices_raise_rows
from invoicing.models import (
    EDITABLE_STATUSES,
    Invoice,
    InvoiceJob,
    InvoiceLine,
    InvoiceStatus,
)
from invoicing.totals import invoice_totals, line_money
from jobs.models import COMPLETED, INVOICED
from tenancy.models import TaxCode, Tenant, User
from warehouse.models import WarehouseJob

logger = logging.getLogger(__name__)

# Only invoices that never reached Xero may be voided here; an exported one is credited in Xero.
VOIDABLE_STATUSES = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.READY, InvoiceStatus.EXPORT_FAILED})

AnyJob = Booking | WarehouseJob


class InvoiceError(Exception):
    """A refusal with a message fit to show the user."""


class InvoiceNotEditableError(InvoiceError):
    pass


class InvoiceStatusError(InvoiceError):
    pass


class InvoiceRaiseConflictError(InvoiceError):
    pass


def _messages(exc: ValidationError) -> str:
    return " ".join(dict.fromkeys(exc.messages))


def invoice_totals_check(*, invoice: Invoice, line_amounts: Iterable[Decimal] = (), what: str = "") -> None:
    """Refuse a negative total (a credit note, not an invoice), one too large to hold or send, and a
    line beyond the line limit (rows written before the limits; the columns could not hold them)."""
    invoice_amounts_check(
        subtotal=invoice.subtotal,
        total=invoice.total,
        line_amounts=line_amounts,
        what=what or f"Invoice {invoice.number}",
    )


def invoice_amounts_check(*, subtotal: Decimal, total: Decimal, line_amounts: Iterable[Decimal], what: str) -> None:
    """The rule of :func:`invoice_totals_check` on bare amounts (the bulk raise builds no Invoice)."""
    for amount in line_amounts:
        if abs(amount) > LINE_AMOUNT_MAX:
            raise InvoiceError(f"{what} has a line of {amount:,.2f}; a line can be at most {LINE_AMOUNT_MAX:,.2f}.")
    try:
        total_check(total=total, what=what)
        total_check(total=subtotal, what=f"{what} before tax")
    except ValidationError as exc:
        raise InvoiceError(_messages(exc)) from exc


@dataclass(frozen=True)
class InvoiceLineChange:
    """New values for one existing invoice line (the edit form's row)."""

    line_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    account_code: str
    tax_code: TaxCode | None


def tenant_today(*, tenant: Tenant) -> dt.date:
    """Today where the tenant is: an invoice raised at 9 am in Sydney is dated that day, not UTC's."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tenant.timezone)).date()


def _raise(
    *,
    tenant: Tenant,
    booking_q: Q,
    warehouse_q: Q,
    mark_ready: bool,
    user: User | None,
    refusals: list[str] | None = None,
) -> list[Invoice]:
    invoices, _jobs = invoice_raise_counted(
        tenant=tenant,
        booking_q=booking_q,
        warehouse_q=warehouse_q,
        mark_ready=mark_ready,
        user=user,
        refusals=refusals,
    )
    return invoices


def raise_amounts_refusal(*, subtotal: Decimal, total: Decimal, line_amounts: list[Decimal], what: str) -> str | None:
    """Why an invoice with these amounts cannot be raised (:func:`invoice_amounts_check`), or None."""
    try:
        invoice_amounts_check(subtotal=subtotal, total=total, line_amounts=line_amounts, what=what)
    except InvoiceError as exc:
        return str(exc)
    return None


def invoice_raise_ids(
    *,
    tenant: Tenant,
    booking_q: Q,
    warehouse_q: Q,
    mark_ready: bool,
    user: User | None,
    refusals: list[str] | None = None,
) -> RaiseResult:
    """Invoice the completed jobs matching the filters in one transaction with a fixed number of
    statements (:mod:`invoicing.bulk`); returns the new invoice ids and how many jobs they cover.

    An invoice that would total below zero, above what an invoice can hold, or carries a line
    beyond the line limit (rows stored before the input rules) is left out: its jobs stay
    completed, it takes no number, and the reason is logged and appended to ``refusals``.
    Callers with thousands of jobs split them first (:mod:`invoicing.raising`), so no transaction
    holds its row locks, or the invoice sequence's, for long.
    """
    try:
        with transaction.atomic():
            result = invoices_raise_rows(
                tenant=tenant,
                booking_q=booking_q,
                warehouse_q=warehouse_q,
                mark_ready=mark_ready,
                today=tenant_today(tenant=tenant),
                refusal=raise_amounts_refusal,
            )
    except IntegrityError as exc:
        # Only reachable if a job was marked completed while an active invoice still covers it.
        logger.warning("invoice raise refused by the database for tenant %s: %s", tenant.pk, exc)
        raise InvoiceRaiseConflictError(
            "Some of these jobs are already on an invoice. Nothing was raised; reload and try again."
        ) from exc
    for reason in result.refusals:
        # Left out, jobs still completed: one bad group must not block the others
        # (the scheduled consolidation raises for a whole tenant at once).
        logger.warning("invoice raise refused for tenant %s: %s", tenant.pk, reason)
    if refusals is not None:
        refusals.extend(result.refusals)
    if result.invoice_ids:
        logger.info(
            "raised %d invoices for tenant %s by user %s", len(result.invoice_ids), tenant.pk, getattr(user, "pk", None)
        )
    return result


def invoice_raise_counted(
    *,
    tenant: Tenant,
    booking_q: Q,
    warehouse_q: Q,
    mark_ready: bool,
    user: User | None,
    refusals: list[str] | None = None,
) -> tuple[list[Invoice], int]:
    """As :func:`invoice_raise_ids`, with the new invoices loaded (in number order)."""
    result = invoice_raise_ids(
        tenant=tenant,
        booking_q=booking_q,
        warehouse_q=warehouse_q,
        mark_ready=mark_ready,
        user=user,
        refusals=refusals,
    )
    return list(Invoice.objects.filter(pk__in=result.invoice_ids).order_by("id")), result.jobs


def invoice_raise_for_jobs(
    *,
    tenant: Tenant,
    jobs: Iterable[AnyJob],
    mark_ready: bool = False,
    user: User | None = None,
    refusals: list[str] | None = None,
) -> list[Invoice]:
    """Invoice the given jobs by their customers' rules; returns the new invoices in number order.

    Jobs that are not (or no longer) completed, belong to another tenant, have no charges or are
    being invoiced by a concurrent request are left out silently; compare the result to the request.
    A consolidated customer's selected jobs share one invoice. An invoice that would total below
    zero or above what an invoice can hold is not raised: its jobs stay completed and the reason is
    appended to ``refusals`` (when given) for the person who asked.
    """
    materialised = list(jobs)
    booking_ids = [j.pk for j in materialised if isinstance(j, Booking)]
    warehouse_ids = [j.pk for j in materialised if isinstance(j, WarehouseJob)]
    return _raise(
        tenant=tenant,
        booking_q=Q(pk__in=booking_ids),
        warehouse_q=Q(pk__in=warehouse_ids),
        mark_ready=mark_ready,
        user=user,
        refusals=refusals,
    )


def invoices_raise(
    *,
    tenant: Tenant,
    customer: Customer | None = None,
    customers: Iterable[Customer] | None = None,
    mark_ready: bool = False,
    user: User | None = None,
    refusals: list[str] | None = None,
) -> list[Invoice]:
    """Invoice every uninvoiced completed job of the tenant (or of the given customers); see
    :func:`invoice_raise_for_jobs` for ``refusals``."""
    q = Q()
    if customer is not None:
        q &= Q(customer=customer)
    if customers is not None:
        q &= Q(customer__in=[c.pk for c in customers])
    return _raise(tenant=tenant, booking_q=q, warehouse_q=q, mark_ready=mark_ready, user=user, refusals=refusals)


def _transition(*, invoice: Invoice, allowed: Iterable[str], to: str, verb: str) -> int:
    """Conditional status change; refuses (without writing) when the invoice has moved on."""
    changed = Invoice.objects.filter(pk=invoice.pk, status__in=list(allowed)).update(
        status=to, updated_at=timezone.now()
    )
    if not changed:
        invoice.refresh_from_db(fields=["status"])
        raise InvoiceStatusError(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; it cannot be {verb}."
        )
    invoice.status = to
    return changed


def invoice_mark_ready(*, invoice: Invoice, user: User | None = None) -> Invoice:
    """Draft → ready: it appears on Ready to Export."""
    _transition(invoice=invoice, allowed=[InvoiceStatus.DRAFT], to=InvoiceStatus.READY, verb="marked ready")
    return invoice


def invoice_mark_draft(*, invoice: Invoice, user: User | None = None) -> Invoice:
    """Ready → draft: take it off Ready to Export without voiding it."""
    _transition(invoice=invoice, allowed=[InvoiceStatus.READY], to=InvoiceStatus.DRAFT, verb="moved back to draft")
    return invoice


def invoice_void(*, invoice: Invoice, user: User | None = None) -> Invoice:
    """Void an invoice that never reached Xero and release its jobs so they can be invoiced again."""
    with transaction.atomic():
        _transition(invoice=invoice, allowed=VOIDABLE_STATUSES, to=InvoiceStatus.VOID, verb="voided")
        links = InvoiceJob.objects.filter(invoice=invoice, active=True)
        booking_ids = [b for b in links.values_list("booking_id", flat=True) if b]
        warehouse_ids = [w for w in links.values_list("warehouse_job_id", flat=True) if w]
        links.update(active=False)
        Booking.objects.filter(pk__in=booking_ids, status=INVOICED).update(status=COMPLETED)
        WarehouseJob.objects.filter(pk__in=warehouse_ids, status=INVOICED).update(status=COMPLETED)
    logger.info("invoice %s voided by user %s", invoice.pk, getattr(user, "pk", None))
    return invoice


def invoice_assert_editable(*, invoice: Invoice) -> None:
    if invoice.status not in EDITABLE_STATUSES:
        raise InvoiceNotEditableError(
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()} and can no longer be edited. "
            "Only draft, ready and export-failed invoices can be changed; an exported invoice is changed in Xero."
        )


def invoice_recalculate(*, invoice: Invoice, lines: Iterable[InvoiceLine]) -> None:
    """Recompute every line's amount and tax, and the invoice totals, from quantities and prices."""
    monies = []
    for line in lines:
        m = line_money(
            quantity=line.quantity, unit_price=line.unit_price, tax_rate=line.tax_rate, amounts_are=invoice.amounts_are
        )
        line.line_amount, line.tax_amount = m.amount, m.tax
        monies.append(m)
    totals = invoice_totals(lines=monies, amounts_are=invoice.amounts_are)
    invoice.subtotal, invoice.tax_total, invoice.total = totals.subtotal, totals.tax_total, totals.total


_HEADER_FIELDS = frozenset({"date", "due_date", "notes"})
_LINE_FIELDS = frozenset({"description", "quantity", "unit_price", "account_code"})


def invoice_update(
    *,
    invoice: Invoice,
    date: dt.date | None = None,
    due_date: dt.date | None = None,
    notes: str | None = None,
    lines: Sequence[InvoiceLineChange] = (),
    user: User | None = None,
) -> Invoice:
    """Edit an invoice that has not left for Xero; status is kept (a ready invoice stays ready),
    except that an export-failed invoice, now corrected, is ready again and Xero's old refusal is
    cleared: it described content that no longer exists.

    The row lock makes an export claim wait for the edit, so Xero always gets the edited content.
    """
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        invoice_assert_editable(invoice=locked)
        if date is not None:
            locked.date = date
        if due_date is not None:
            locked.due_date = due_date
        if notes is not None:
            locked.notes = notes
        try:
            locked.clean_fields(exclude=[f.name for f in Invoice._meta.fields if f.name not in _HEADER_FIELDS])
            locked.clean()
        except ValidationError as exc:
            raise InvoiceError(_messages(exc)) from exc
        all_lines = list(locked.lines.all())
        by_id = {line.pk: line for line in all_lines}
        for change in lines:
            line = by_id.get(change.line_id)
            if line is None:
                raise InvoiceError("That line is not on this invoice.")
            line.description = change.description
            line.quantity = change.quantity
            line.unit_price = change.unit_price
            line.account_code = change.account_code
            line.tax_code = change.tax_code.code if change.tax_code else ""
            line.tax_rate = change.tax_code.rate if change.tax_code else Decimal("0")
            try:
                line.clean_fields(exclude=[f.name for f in InvoiceLine._meta.fields if f.name not in _LINE_FIELDS])
                line_amount_check(quantity=line.quantity, unit_price=line.unit_price)
            except ValidationError as exc:
                raise InvoiceError(f"Line {line.position + 1}: {_messages(exc)}") from exc
        invoice_recalculate(invoice=locked, lines=all_lines)
        invoice_totals_check(invoice=locked)
        fields = [
            "description",
            "quantity",
            "unit_price",
            "account_code",
            "tax_code",
            "tax_rate",
            "line_amount",
            "tax_amount",
        ]
        InvoiceLine.objects.bulk_update(all_lines, fields)
        if locked.status == InvoiceStatus.EXPORT_FAILED:
            locked.status, locked.export_error = InvoiceStatus.READY, ""
        locked.save()
    logger.info("invoice %s edited by user %s", locked.pk, getattr(user, "pk", None))
    return locked


def invoice_line_update(*, invoice: Invoice, change: InvoiceLineChange, user: User | None = None) -> Invoice:
    """Edit one line; the invoice totals follow."""
    return invoice_update(invoice=invoice, lines=[change], user=user)
