"""Services: record what the accounting system says about an exported invoice's money.

The only writer of ``Invoice.payment_status`` and the amount fields. Integrations (Xero today) read
invoices and hand over :class:`PaymentState` values; this module decides what changes.

Idempotent and order-proof: a state is written only when its ``updated_at`` (Xero's UpdatedDateUTC)
is newer than the one held, in one conditional UPDATE, so a repeated or late state changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from invoicing.models import Invoice, InvoiceStatus, PaymentStatus
from tenancy.models import Tenant

# Xero docs (Invoice.Status): AUTHORISED = approved, awaiting payment or part paid; PAID once AmountDue is 0.
_BY_XERO_STATUS = {
    "PAID": PaymentStatus.PAID,
    "VOIDED": PaymentStatus.VOIDED,
    "DELETED": PaymentStatus.DELETED,
    "DRAFT": PaymentStatus.DRAFT,
    "SUBMITTED": PaymentStatus.DRAFT,
}


@dataclass(frozen=True)
class PaymentState:
    """One invoice as the accounting system shows it now."""

    external_id: str
    status: str  # the accounting system's own word (Xero: AUTHORISED, PAID, VOIDED, ...)
    amount_paid: Decimal
    amount_credited: Decimal
    amount_due: Decimal
    fully_paid_on: dt.date | None
    updated_at: dt.datetime

    @property
    def payment_status(self) -> str:
        status = self.status.upper()
        if status in _BY_XERO_STATUS:
            return _BY_XERO_STATUS[status]
        if self.amount_paid + self.amount_credited > 0:
            return PaymentStatus.PART_PAID
        return PaymentStatus.AWAITING


def invoice_payment_states_record(*, tenant: Tenant, states: Iterable[PaymentState]) -> int:
    """Write each state onto the tenant's exported invoice with that external id; returns how many changed.

    States of invoices that are not ours (or not exported) are ignored.
    """
    changed = 0
    now = timezone.now()
    for state in states:
        changed += (
            Invoice.objects.filter(
                tenant=tenant, xero_invoice_id=state.external_id.lower(), status=InvoiceStatus.EXPORTED
            )
            .filter(Q(payment_state_at__isnull=True) | Q(payment_state_at__lt=state.updated_at))
            .update(
                payment_status=state.payment_status,
                amount_paid=state.amount_paid,
                amount_credited=state.amount_credited,
                amount_due=state.amount_due,
                fully_paid_on=state.fully_paid_on,
                payment_state_at=state.updated_at,
                payment_synced_at=now,
            )
        )
    return changed
