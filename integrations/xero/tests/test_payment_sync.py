"""Payment status back from Xero, end to end over real HTTP with the real SDK against the sandbox:
invoices exported by the engine, paid "in Xero" (the sandbox's control call), then learnt through
the signed webhook (sandbox -> live server) or the If-Modified-Since poll."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from integrations.xero.export.calls import STATS
from integrations.xero.export.services import export_run_drive, export_run_start
from integrations.xero.models import ExportTrigger, XeroSettings, XeroWebhookEvent
from integrations.xero.payments import xero_payments_poll, xero_webhook_events_process
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make, xero_connection_make
from invoicing.models import Invoice, InvoiceStatus, PaymentStatus
from invoicing.payment_status import PaymentState, invoice_payment_states_record

KEY = "test-webhook-signing-key"
URL = "/integrations/xero/webhooks/"


@pytest.fixture
def connected(tenant: Any, xero_sandbox: Any, xero_sandbox_settings: Any) -> Any:
    xero_sandbox_settings.XERO_HTTP_TIMEOUT = 5
    xero_sandbox_settings.REDIS_URL = ""  # the PostgreSQL limiter
    xero_sandbox_settings.XERO_WEBHOOK_KEY = KEY
    XeroSettings.objects.update_or_create(
        tenant=tenant,
        defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}, "invoice_status": "AUTHORISED"},
    )
    return xero_connection_make(tenant=tenant, sandbox=xero_sandbox)


def _exported(tenant: Any, count: int = 3) -> list[Invoice]:
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=2), count=count)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
    run = export_run_drive(run_id=run.id, max_wait=120)
    assert run.exported_count == count, run.message
    return list(Invoice.objects.filter(tenant=tenant).order_by("number"))


def _signed_post(client: Client, payload: dict[str, Any], *, key: str = KEY, signature: str | None = None) -> Any:
    body = json.dumps(payload).encode()
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    sig = signature if signature is not None else base64.b64encode(digest)
    headers = {"x-xero-signature": sig.decode() if isinstance(sig, bytes) else sig} if sig != "" else {}
    return client.post(URL, body, content_type="application/json", headers=headers)


def _event(invoice: Invoice, org: str, *, at: str = "2026-12-05T01:00:00.123") -> dict[str, Any]:
    return {"resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{invoice.xero_invoice_id}",
            "resourceId": invoice.xero_invoice_id, "eventDateUtc": at, "eventType": "UPDATE",
            "eventCategory": "INVOICE", "tenantId": org, "tenantType": "ORGANISATION"}  # fmt: skip


def _payload(*events: dict[str, Any]) -> dict[str, Any]:
    return {"events": list(events), "firstEventSequence": 1, "lastEventSequence": len(events), "entropy": "ABC"}


@pytest.mark.django_db
def test_a_poll_after_payment_shows_paid_with_webhooks_off(tenant: Any, connected: Any, xero_sandbox: Any) -> None:
    first, second, third = _exported(tenant)
    xero_sandbox.control.pay(connected.xero_tenant_id, first.xero_invoice_id, "40.00", date="2026-12-01")
    xero_sandbox.control.pay(connected.xero_tenant_id, second.xero_invoice_id, date="2026-12-02")

    xero_payments_poll(connection=connected)

    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.payment_status, first.amount_paid, first.amount_due) == (
        PaymentStatus.PART_PAID, Decimal("40.00"), Decimal("70.00"),
    )  # fmt: skip
    assert (second.payment_status, second.amount_paid, second.fully_paid_on) == (
        PaymentStatus.PAID, Decimal("110.00"), dt.date(2026, 12, 2),
    )  # fmt: skip
    assert (third.payment_status, third.amount_due, third.amount_credited) == (
        PaymentStatus.AWAITING, Decimal("110.00"), Decimal("0.00"),
    )  # fmt: skip
    (poll,) = xero_sandbox.control.requests(path="/Invoices", method="GET")
    assert poll["headers"].get("if-modified-since") and poll["query"]["page"] == "1"


@pytest.mark.django_db
def test_a_second_poll_asks_only_since_the_first(tenant: Any, connected: Any, xero_sandbox: Any) -> None:
    (invoice,) = _exported(tenant, 1)
    xero_payments_poll(connection=connected)
    xero_sandbox.control.clear_requests()
    xero_sandbox.control.pay(connected.xero_tenant_id, invoice.xero_invoice_id)

    xero_payments_poll(connection=connected)

    invoice.refresh_from_db()
    assert invoice.payment_status == PaymentStatus.PAID
    (poll,) = xero_sandbox.control.requests(path="/Invoices", method="GET")
    since = dt.datetime.fromisoformat(poll["headers"]["if-modified-since"])
    assert since > timezone.now() - dt.timedelta(minutes=6)


@pytest.mark.django_db
@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU=", "wrong-key"])
def test_forged_or_unsigned_webhooks_are_refused_and_change_nothing(
    tenant: Any, connected: Any, xero_sandbox: Any, signature: str
) -> None:
    (invoice,) = _exported(tenant, 1)
    xero_sandbox.control.pay(connected.xero_tenant_id, invoice.xero_invoice_id)
    payload = _payload(_event(invoice, connected.xero_tenant_id))

    if signature == "wrong-key":
        response = _signed_post(Client(), payload, key="someone-elses-key")
    else:
        response = _signed_post(Client(), payload, signature=signature)
    xero_webhook_events_process()

    assert response.status_code == 401 and response.content == b""
    assert XeroWebhookEvent.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.payment_status == ""


@pytest.mark.django_db
def test_no_configured_key_refuses_every_webhook(tenant: Any, connected: Any, settings: Any) -> None:
    settings.XERO_WEBHOOK_KEY = ""

    response = _signed_post(Client(), _payload(), key="")

    assert response.status_code == 401


@pytest.mark.django_db
def test_duplicate_and_out_of_order_events_change_nothing_twice(tenant: Any, connected: Any, xero_sandbox: Any) -> None:
    (invoice,) = _exported(tenant, 1)
    org = connected.xero_tenant_id
    xero_sandbox.control.pay(org, invoice.xero_invoice_id, "10.00")
    later = _event(invoice, org, at="2026-12-05T01:00:05.000")
    earlier = _event(invoice, org, at="2026-12-05T01:00:01.000")
    client = Client()

    statuses = [_signed_post(client, _payload(e)).status_code for e in (later, later, earlier)]
    changed_first = xero_webhook_events_process()
    state_after_first = Invoice.objects.values_list("payment_status", "amount_paid", "payment_state_at").get()
    redelivered = [_signed_post(client, _payload(e)).status_code for e in (earlier, later)]
    nothing_pending = xero_webhook_events_process()
    # A new event although nothing changed in Xero: one more GET, and the state it reads is not newer.
    _signed_post(client, _payload(_event(invoice, org, at="2026-12-05T01:00:09.000")))
    changed_again = xero_webhook_events_process()

    assert statuses == [200, 200, 200] and redelivered == [200, 200]
    assert XeroWebhookEvent.objects.count() == 3  # repeated deliveries were dropped
    assert (changed_first, nothing_pending, changed_again) == (1, 0, 0)
    assert state_after_first[:2] == (PaymentStatus.PART_PAID, Decimal("10.00"))
    assert Invoice.objects.values_list("payment_status", "amount_paid", "payment_state_at").get() == state_after_first
    fetches = xero_sandbox.control.requests(path="/Invoices", method="GET")
    assert len(fetches) == 2 and fetches[0]["query"]["IDs"] == invoice.xero_invoice_id


@pytest.mark.django_db
def test_an_older_state_read_late_never_overwrites_a_newer_one(tenant: Any, connected: Any) -> None:
    (invoice,) = _exported(tenant, 1)
    at = timezone.now()
    paid = PaymentState(external_id=invoice.xero_invoice_id.upper(), status="PAID", amount_paid=Decimal("110"),
                        amount_credited=Decimal(0), amount_due=Decimal(0), fully_paid_on=dt.date(2026, 12, 2),
                        updated_at=at)  # fmt: skip
    part = replace(paid, status="AUTHORISED", amount_paid=Decimal("10"), amount_due=Decimal("100"),
                   fully_paid_on=None, updated_at=at - dt.timedelta(seconds=1))  # fmt: skip

    counts = [invoice_payment_states_record(tenant=tenant, states=[s]) for s in (paid, part, paid)]

    invoice.refresh_from_db()
    assert counts == [1, 0, 0]
    assert (invoice.payment_status, invoice.amount_due) == (PaymentStatus.PAID, Decimal("0.00"))


@pytest.mark.django_db(transaction=True)
def test_sandbox_webhooks_reach_the_live_endpoint_signed_and_part_paid_shows(
    tenant: Any, connected: Any, xero_sandbox: Any, live_server: Any
) -> None:
    first, second = _exported(tenant, 2)
    org = connected.xero_tenant_id
    hub = xero_sandbox.control.webhook_subscribe(f"{live_server.url}{URL}", KEY, auto_deliver=False, duplicate=True,
                                                 out_of_order=True)  # fmt: skip
    xero_sandbox.control.pay(org, first.xero_invoice_id, "50.00")
    xero_sandbox.control.pay(org, second.xero_invoice_id)

    statuses = xero_sandbox.control.webhook_deliver()
    xero_webhook_events_process()

    assert hub["status"] == "OK"  # intent to receive: 200 signed, 401 forged
    assert statuses == [200] * 4
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.payment_status, first.amount_due) == (PaymentStatus.PART_PAID, Decimal("60.00"))
    assert second.payment_status == PaymentStatus.PAID
    assert len(xero_sandbox.control.requests(path="/Invoices", method="GET")) == 1  # both in one IDs call


@pytest.mark.django_db
def test_events_for_invoices_that_are_not_ours_cost_no_call(tenant: Any, connected: Any, xero_sandbox: Any) -> None:
    STATS.calls = 0
    stranger = {
        "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/x", "eventType": "UPDATE",
        "resourceId": "6f1d3c1e-0000-4000-8000-000000000001", "eventDateUtc": "2026-12-05T01:00:00.000",
        "eventCategory": "INVOICE", "tenantId": connected.xero_tenant_id, "tenantType": "ORGANISATION",
    }  # fmt: skip

    assert _signed_post(Client(), _payload(stranger)).status_code == 200
    xero_webhook_events_process()

    assert xero_sandbox.control.requests(path="/Invoices", method="GET") == []
    assert XeroWebhookEvent.objects.get().processed_at is not None
    assert Invoice.objects.filter(status=InvoiceStatus.EXPORTED).count() == 0
