"""The raise itself, written for thousands of jobs per call (issue 11).

Why not model instances and ``bulk_create``: at 10,000 invoices, Django spent most of the time
building ~80,000 model objects (jobs, customers, charges, invoices, links, lines) and preparing
half a million values one field at a time. Here jobs and charges are read as tuples, and the new
rows are written with one ``COPY`` per table (:func:`rows_insert`), each field given its model
default when the raise does not set it, so columns added later keep their defaults.
The rules are unchanged: completed jobs only, row-locked with SKIP LOCKED and re-checked under the
lock, each customer's invoicing rule, numbers from one block of the tenant's sequence.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking, BookingCharge
from customers.models import Customer, InvoicingRule
from invoicing.models import Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
from invoicing.totals import LineMoney, invoice_totals, line_money
from jobs.models import COMPLETED, INVOICED
from tenancy.models import TaxCode, Tenant
from tenancy.services import number_format, sequence_reserve
from warehouse.models import WarehouseCharge, WarehouseJob

INVOICE_PREFIX = "INV-"
INVOICE_SEQUENCE = "invoice"


@dataclass(frozen=True)
class _Job:
    kind: str  # "b" or "w"
    pk: int
    number: str
    customer_id: int
    customer_reference: str

    @property
    def sort_key(self) -> tuple[str, int, str]:
        # Bookings before warehouse jobs, then by number; length first so B1000000 > B999999.
        return (self.kind, len(self.number), self.number)


@dataclass(frozen=True)
class _Charge:
    description: str
    quantity: Decimal
    unit_price: Decimal
    account_code: str
    tax_code_id: int | None


@dataclass(frozen=True)
class _Customer:
    pk: int
    name: str
    invoicing_rule: str
    payment_terms_days: int
    currency: str


@dataclass(frozen=True)
class RaiseResult:
    invoice_ids: list[int]
    jobs: int
    refusals: list[str] = field(default_factory=list)


# Why an invoice with these amounts may not be raised, or None (invoicing.services.raise_amounts_refusal).
Refusal = Callable[..., "str | None"]


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def rows_insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Write ``rows`` (field attname -> value) with one ``COPY``; returns the new ids, in row order.

    The ids are taken from the table's own sequence first (one statement), so COPY, the fastest
    way into PostgreSQL, can be used although it returns nothing. Fields a row leaves out get
    the model field's default (callables called per row), as ``bulk_create`` would give them.
    """
    if not rows:
        return []
    given = set(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unknown = given - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    defaults = {f.attname: f for f in fields if f.attname not in given}
    fixed = {name: f.get_default() for name, f in defaults.items() if not callable(f.default)}
    per_row = [name for name, f in defaults.items() if callable(f.default)]
    names = [f.attname for f in fields]
    table = model._meta.db_table
    pk_column = str(model._meta.pk.column)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk_column, len(rows)]
        )
        ids = sorted(int(row[0]) for row in cursor.fetchall())
        buffer = io.StringIO()
        for pk, row in zip(ids, rows, strict=True):
            full = {**fixed, **{name: defaults[name].get_default() for name in per_row}, **row}
            buffer.write("\t".join([str(pk), *(_copy_text(full[name]) for name in names)]))
            buffer.write("\n")
        buffer.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join([quote(pk_column), *(quote(str(f.column)) for f in fields)])
        # copy_expert needs psycopg2's own cursor; Django's wrapper does not expose COPY.
        cursor.cursor.copy_expert(f"COPY {quote(table)} ({columns}) FROM STDIN", buffer)
    return ids


def _lock_jobs(*, tenant: Tenant, booking_q: Q, warehouse_q: Q) -> list[_Job]:
    """Completed jobs matching the filters, row-locked; rows another transaction holds are skipped."""
    jobs: list[_Job] = []
    for kind, model, q in (("b", Booking, booking_q), ("w", WarehouseJob, warehouse_q)):
        rows = (
            model._default_manager.select_for_update(skip_locked=True)
            .filter(q, tenant=tenant, status=COMPLETED)
            .values_list("pk", "number", "customer_id", "customer_reference")
            .order_by()
        )
        jobs += [_Job(kind, pk, number, customer_id, ref) for pk, number, customer_id, ref in rows]
    return sorted(jobs, key=lambda job: job.sort_key)


def _charges(jobs: list[_Job]) -> dict[tuple[str, int], list[_Charge]]:
    found: dict[tuple[str, int], list[_Charge]] = defaultdict(list)
    for kind, model in (("b", BookingCharge), ("w", WarehouseCharge)):
        ids = [job.pk for job in jobs if job.kind == kind]
        if not ids:
            continue
        rows = (
            model._default_manager.filter(job_id__in=ids)
            .order_by("job_id", "position", "id")
            .values_list("job_id", "description", "quantity", "unit_price", "account_code", "tax_code_id")
        )
        for job_id, description, quantity, unit_price, account_code, tax_code_id in rows:
            found[(kind, job_id)].append(_Charge(description, quantity, unit_price, account_code, tax_code_id))
    return found


def _groups(jobs: list[_Job], customers: dict[int, _Customer]) -> list[list[_Job]]:
    """One group per invoice: each job alone, or all of a consolidated customer's jobs together."""
    by_customer: dict[int, list[_Job]] = defaultdict(list)
    for job in jobs:
        by_customer[job.customer_id].append(job)
    groups: list[list[_Job]] = []
    for customer_id, customer_jobs in by_customer.items():
        if customers[customer_id].invoicing_rule == InvoicingRule.CONSOLIDATED:
            groups.append(customer_jobs)
        else:
            groups.extend([job] for job in customer_jobs)
    groups.sort(key=lambda group: group[0].sort_key)  # numbers follow each group's first job
    return groups


def invoices_raise_rows(
    *, tenant: Tenant, booking_q: Q, warehouse_q: Q, mark_ready: bool, today: dt.date, refusal: Refusal
) -> RaiseResult:
    """Raise the completed jobs matching the filters. Call inside a transaction (the caller's).

    A group whose amounts ``refusal`` objects to is left out: its jobs stay completed and it takes
    no number; the reasons come back in the result.
    """
    jobs = _lock_jobs(tenant=tenant, booking_q=booking_q, warehouse_q=warehouse_q)
    charges = _charges(jobs)
    jobs = [job for job in jobs if charges.get((job.kind, job.pk))]  # no charges: nothing to bill
    if not jobs:
        return RaiseResult(invoice_ids=[], jobs=0)
    customers = {
        pk: _Customer(pk, name, rule, terms, currency)
        for pk, name, rule, terms, currency in Customer.objects.filter(
            pk__in={job.customer_id for job in jobs}
        ).values_list("pk", "name", "invoicing_rule", "payment_terms_days", "currency")
    }
    tax_codes = {t.pk: t for t in TaxCode.objects.filter(tenant=tenant)}
    default_tax = tax_codes.get(tenant.default_tax_code_id or 0)
    amounts_are = tenant.price_entry
    status = InvoiceStatus.READY if mark_ready else InvoiceStatus.DRAFT
    now = timezone.now()
    invoice_rows: list[dict[str, Any]] = []
    group_lines: list[list[tuple[_Job, _Charge, Any, LineMoney]]] = []
    kept: list[list[_Job]] = []
    refusals: list[str] = []
    for group in _groups(jobs, customers):
        customer = customers[group[0].customer_id]
        lines = []
        for job in group:
            for charge in charges[(job.kind, job.pk)]:
                tax_code = tax_codes.get(charge.tax_code_id or 0) or default_tax
                rate = tax_code.rate if tax_code else Decimal("0")
                money = line_money(
                    quantity=charge.quantity, unit_price=charge.unit_price, tax_rate=rate, amounts_are=amounts_are
                )
                lines.append((job, charge, tax_code, money))
        totals = invoice_totals(lines=[line[3] for line in lines], amounts_are=amounts_are)
        reason = refusal(
            subtotal=totals.subtotal,
            total=totals.total,
            line_amounts=[line[3].amount for line in lines],
            what=f"The invoice for {', '.join(job.number for job in group)} ({customer.name})",
        )
        if reason is not None:
            refusals.append(reason)
            continue
        kept.append(group)
        group_lines.append(lines)
        invoice_rows.append(
            {
                "tenant_id": tenant.pk,
                "customer_id": customer.pk,
                "date": today,
                "due_date": today + dt.timedelta(days=customer.payment_terms_days),
                "currency": customer.currency,
                "amounts_are": amounts_are,
                "status": status,
                "is_consolidated": len(group) > 1,
                "subtotal": totals.subtotal,
                "tax_total": totals.tax_total,
                "total": totals.total,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not kept:
        return RaiseResult(invoice_ids=[], jobs=0, refusals=refusals)
    # Numbers only for the invoices that are written: a refused one leaves no gap.
    numbers = sequence_reserve(tenant=tenant, name=INVOICE_SEQUENCE, count=len(kept))
    for row, value in zip(invoice_rows, numbers, strict=True):
        row["number"] = number_format(prefix=INVOICE_PREFIX, value=value)
    invoice_ids = rows_insert(Invoice, invoice_rows)
    link_rows = [
        {
            "invoice_id": invoice_id,
            "booking_id": job.pk if job.kind == "b" else None,
            "warehouse_job_id": job.pk if job.kind == "w" else None,
            "position": position,
            "job_number": job.number,
            "customer_reference": job.customer_reference,
            "active": True,
        }
        for invoice_id, group in zip(invoice_ids, kept, strict=True)
        for position, job in enumerate(group)
    ]
    link_ids = iter(rows_insert(InvoiceJob, link_rows))
    line_rows = []
    for invoice_id, group, lines in zip(invoice_ids, kept, group_lines, strict=True):
        link_of = {(job.kind, job.pk): next(link_ids) for job in group}
        for position, (job, charge, tax_code, money) in enumerate(lines):
            line_rows.append(
                {
                    "invoice_id": invoice_id,
                    "invoice_job_id": link_of[(job.kind, job.pk)],
                    "position": position,
                    "description": charge.description,
                    "quantity": charge.quantity,
                    "unit_price": charge.unit_price,
                    # Blank stays blank: the export sends the Default sales account of Xero settings.
                    "account_code": charge.account_code,
                    "tax_code": tax_code.code if tax_code else "",
                    "tax_rate": tax_code.rate if tax_code else Decimal("0"),
                    "line_amount": money.amount,
                    "tax_amount": money.tax,
                }
            )
    rows_insert(InvoiceLine, line_rows)
    invoiced = [job for group in kept for job in group]
    Booking.objects.filter(pk__in=[j.pk for j in invoiced if j.kind == "b"]).update(status=INVOICED)
    WarehouseJob.objects.filter(pk__in=[j.pk for j in invoiced if j.kind == "w"]).update(status=INVOICED)
    return RaiseResult(invoice_ids=invoice_ids, jobs=len(invoiced), refusals=refusals)
