"""Writes shared by bookings and warehouse jobs: numbering, status rules and charge lines.

``bookings.services`` and ``warehouse.services`` are thin typed wrappers around :func:`job_create`
and :func:`job_update`, so both kinds of job follow exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Customer
from freighttracker.validators import total_check
from jobs.models import CANCELLED, INVOICED, Job
from jobs.selectors import job_active_invoice
from tenancy.models import TaxCode, Tenant
from tenancy.services import number_format, sequence_next

J = TypeVar("J", bound=Job)


class JobLockedError(ValidationError):
    """The job has been invoiced: it is changed through its invoice (void it), not edited."""


@dataclass(frozen=True)
class ChargeData:
    """One charge line as entered; the job's charges are replaced by a list of these."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    account_code: str = ""
    tax_code: TaxCode | None = None


def job_number_next(*, tenant: Tenant, model: type[Job]) -> str:
    """Next job number, e.g. ``B000123``. Call inside the transaction that saves the job."""
    value = sequence_next(tenant=tenant, name=model.SEQUENCE_NAME)
    return number_format(prefix=model.NUMBER_PREFIX, value=value)


def job_statuses_allowed(*, flow: Sequence[str], current: str | None) -> list[str]:
    """The statuses a person may choose, given where the job is now.

    Forward to any later step (quick entry may skip steps), back one step to correct a slip,
    cancel at any point before invoicing, and reopen a cancelled job as the first step.
    ``invoiced`` is never offered: only invoicing sets it.
    """
    if current is None:
        # A job may be recorded as already cancelled, e.g. to bill a cancellation fee.
        return [*flow, CANCELLED]
    if current == INVOICED:
        return [INVOICED]
    if current == CANCELLED:
        return [CANCELLED, flow[0]]
    index = flow.index(current) if current in flow else 0
    return [*flow[max(index - 1, 0) :], CANCELLED]


def job_status_check(*, flow: Sequence[str], current: str | None, target: str) -> None:
    if target not in job_statuses_allowed(flow=flow, current=current):
        if target == INVOICED:
            raise ValidationError({"status": "A job becomes invoiced only when an invoice is raised for it."})
        raise ValidationError({"status": f"A job cannot move from {current or 'new'} to {target}."})


def _check_ownership(*, tenant: Tenant, customer: Customer, charges: Sequence[ChargeData]) -> None:
    """Defence in depth: forms already scope choices, but services must not trust their callers."""
    if customer.tenant_id != tenant.pk:
        raise ValidationError({"customer": "Choose one of your own customers."})
    for charge in charges:
        if charge.tax_code is not None and charge.tax_code.tenant_id != tenant.pk:
            raise ValidationError("Choose one of your own tax codes.")


def charges_total_check(amounts: Iterable[Decimal]) -> None:
    """A job's charges total 0 … TOTAL_MAX: every job must be invoiceable on its own, and a
    negative total would be a credit note, not an invoice (discount lines are fine)."""
    total_check(total=sum(amounts, Decimal("0")), what="The charges")


def job_charges_replace(*, job: Job, charges: Iterable[ChargeData]) -> None:
    """Replace all charge lines of a job, keeping the order given.

    Invoices copy charge lines when raised, so nothing else points at charge rows and a
    replace is safe; it also means a tampered form cannot touch another job's lines.
    Every line passes the model's own validation (text, bounds, quantity x price) before anything is
    written: ``bulk_create`` would skip it, and a service must not trust its caller.
    """
    manager = job.charges  # type: ignore[attr-defined]
    model = manager.model
    rows = [
        model(
            job=job,
            position=position,
            description=charge.description,
            quantity=charge.quantity,
            unit_price=charge.unit_price,
            account_code=charge.account_code or "",
            tax_code=charge.tax_code,
        )
        for position, charge in enumerate(charges)
    ]
    for position, row in enumerate(rows, start=1):
        try:
            # tax_code ownership is checked by _check_ownership; job is the row being saved.
            row.full_clean(exclude=["job", "tax_code"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError(
                [f"Charge line {position}: {message}" for message in exc.messages], code="charge_line"
            ) from exc
    charges_total_check(row.amount for row in rows)
    manager.all().delete()
    model.objects.bulk_create(rows)


def job_create(
    *,
    model: type[J],
    flow: Sequence[str],
    tenant: Tenant,
    customer: Customer,
    charges: Iterable[ChargeData] = (),
    **fields: Any,
) -> J:
    charges = list(charges)
    _check_ownership(tenant=tenant, customer=customer, charges=charges)
    status = fields.setdefault("status", flow[0])
    job_status_check(flow=flow, current=None, target=status)
    with transaction.atomic():
        job = model(tenant=tenant, customer=customer, **fields)
        job.full_clean(exclude=["number", "tenant", "customer"])
        # The number is taken last, inside the transaction: a failure above gives no gap.
        job.number = job_number_next(tenant=tenant, model=model)
        job.save()
        job_charges_replace(job=job, charges=charges)
    return job


def job_update(
    *,
    job: J,
    flow: Sequence[str],
    customer: Customer | None = None,
    charges: Iterable[ChargeData] | None = None,
    **fields: Any,
) -> J:
    """Apply an edit. The row is locked so an edit cannot race invoicing of the same job."""
    charge_list = None if charges is None else list(charges)
    with transaction.atomic():
        locked = type(job)._default_manager.select_for_update().get(pk=job.pk)
        # The status is the rule; the active invoice link is checked too, so a job can never be
        # edited under an invoice even if the two disagree.
        if locked.status == INVOICED or job_active_invoice(job=locked) is not None:  # type: ignore[attr-defined]
            raise JobLockedError(f"{locked.number} has been invoiced and can no longer be edited.")
        tenant = locked.tenant
        _check_ownership(tenant=tenant, customer=customer or locked.customer, charges=charge_list or [])
        if "status" in fields:
            job_status_check(flow=flow, current=locked.status, target=fields["status"])  # type: ignore[attr-defined]
        if customer is not None:
            locked.customer = customer
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["number", "tenant", "customer"])
        locked.save()
        if charge_list is not None:
            job_charges_replace(job=locked, charges=charge_list)
    return locked
