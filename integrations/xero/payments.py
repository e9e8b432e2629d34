"""Payment status back from Xero: webhook events recorded, changed invoices re-read in batches, and
incremental polling (If-Modified-Since, paged) as the safety net.

Every call goes through the export engine's ``xero_call`` (the organisation's rate limiter, Xero's
429 honoured) and the one client wrapper; what changes on an invoice is decided by
``invoicing.payment_status``. Cost follows what changed: a webhook costs one GET per 50 changed
invoices, a poll one GET per 100 changed invoices (plus the last, short page).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.xero.client import xero_accounting_api
from integrations.xero.export.calls import xero_call
from integrations.xero.models import ConnectionStatus, XeroConnection, XeroPaymentSync, XeroWebhookEvent
from invoicing.models import Invoice, InvoiceStatus
from invoicing.payment_status import PaymentState, invoice_payment_states_record

logger = logging.getLogger(__name__)

#: Xero answered 404 to ~53 GUIDs in ``IDs`` (URL length); 50 is safe.
IDS_PER_CALL = 50
#: Xero docs (getInvoices, ``page``): "Up to 100 invoices will be returned in a single API call".
PAGE_SIZE = 100
#: Re-read a little before the last poll: clocks differ and Xero's If-Modified-Since has whole seconds.
POLL_OVERLAP = dt.timedelta(minutes=5)


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def payment_state_from_xero(invoice: Any) -> PaymentState:
    """A xero-python ``Invoice`` as a :class:`PaymentState`."""
    status = getattr(invoice.status, "value", invoice.status)
    return PaymentState(
        external_id=str(invoice.invoice_id).lower(),
        status=str(status or ""),
        amount_paid=_decimal(invoice.amount_paid),
        amount_credited=_decimal(invoice.amount_credited),
        amount_due=_decimal(invoice.amount_due),
        fully_paid_on=invoice.fully_paid_on_date,
        updated_at=_aware(invoice.updated_date_utc),
    )


def xero_invoices_refresh(*, connection: XeroConnection, xero_invoice_ids: Iterable[str]) -> int:
    """Re-read these invoices (``IDs``, 50 a call) and record their state; returns invoices changed."""
    ids = sorted({i.lower() for i in xero_invoice_ids})
    api = xero_accounting_api(connection=connection)
    changed = 0
    for start in range(0, len(ids), IDS_PER_CALL):
        batch = ids[start : start + IDS_PER_CALL]
        answer = xero_call(org=connection.xero_tenant_id, kind="payment_ids", fn=api.get_invoices, i_ds=batch, page=1)
        states = [payment_state_from_xero(inv) for inv in answer.invoices or []]
        changed += invoice_payment_states_record(tenant=connection.tenant, states=states)
    return changed


def xero_webhook_events_record(*, payload: dict[str, Any]) -> int:
    """Keep the INVOICE events of a verified payload; a repeated event is dropped by the unique constraint."""
    rows = []
    for event in payload.get("events") or []:
        if not isinstance(event, dict) or event.get("eventCategory") != "INVOICE":
            continue
        when = parse_datetime(str(event.get("eventDateUtc") or ""))
        tenant_id, resource_id = str(event.get("tenantId") or "").lower(), str(event.get("resourceId") or "").lower()
        if when is None or len(tenant_id) != 36 or len(resource_id) != 36:
            continue
        event_type = str(event.get("eventType") or "")[:10]
        rows.append(
            XeroWebhookEvent(
                xero_tenant_id=tenant_id, resource_id=resource_id, event_type=event_type, event_date=_aware(when)
            )
        )
    XeroWebhookEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def xero_webhook_events_process() -> int:
    """Re-read every invoice named by unprocessed events, per connected organisation; returns invoices changed.

    Events are marked processed only after their invoices were recorded, so a crash or a rate limit
    (``RateLimited`` propagates to the task, which retries) leaves them for the next run.
    """
    changed = 0
    pending = XeroWebhookEvent.objects.filter(processed_at__isnull=True)
    for xero_tenant_id in pending.values_list("xero_tenant_id", flat=True).distinct():
        events = list(pending.filter(xero_tenant_id=xero_tenant_id).values_list("pk", "resource_id"))
        resource_ids = {r for _pk, r in events}
        connections = XeroConnection.objects.filter(xero_tenant_id=xero_tenant_id, status=ConnectionStatus.ACTIVE)
        for connection in connections.select_related("tenant"):
            ours = Invoice.objects.filter(
                tenant=connection.tenant, status=InvoiceStatus.EXPORTED, xero_invoice_id__in=resource_ids
            ).values_list("xero_invoice_id", flat=True)
            changed += xero_invoices_refresh(connection=connection, xero_invoice_ids=list(ours))
        XeroWebhookEvent.objects.filter(pk__in=[pk for pk, _r in events]).update(processed_at=timezone.now())
    return changed


def xero_payments_poll(*, connection: XeroConnection) -> int:
    """Read the invoices modified since the last poll, 100 a page, and record them; returns invoices changed."""
    tenant = connection.tenant
    sync, _ = XeroPaymentSync.objects.get_or_create(tenant=tenant)
    started = timezone.now()
    since = sync.modified_since
    if since is None:  # first poll: nothing of ours changed before our first export
        since = Invoice.objects.filter(tenant=tenant).aggregate(first=Min("exported_at"))["first"]
        if since is None:
            return 0
    since = (since - POLL_OVERLAP).astimezone(dt.UTC).replace(microsecond=0)
    api = xero_accounting_api(connection=connection)
    changed, calls, page = 0, 0, 1
    while True:
        answer = xero_call(org=connection.xero_tenant_id, kind="payment_poll", fn=api.get_invoices,
                           if_modified_since=since, page=page)  # fmt: skip
        calls += 1
        invoices = answer.invoices or []
        changed += invoice_payment_states_record(tenant=tenant, states=[payment_state_from_xero(i) for i in invoices])
        if len(invoices) < PAGE_SIZE:
            break
        page += 1
    with transaction.atomic():
        XeroPaymentSync.objects.filter(pk=sync.pk).update(modified_since=started, last_polled_at=timezone.now(),
                                                          last_calls=calls)  # fmt: skip
    return changed
