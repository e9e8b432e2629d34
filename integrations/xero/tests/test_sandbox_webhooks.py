"""Webhooks from the sandbox to a real HTTP receiver: intent to receive, HMAC-SHA256 signatures, INVOICE
events on create and payment, retries, and the faults (sent twice, out of order); every delivery is
checked against Xero's ``xero-webhooks.yaml``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from integrations.xero.sandbox import DEMO_AU_ORG_ID
from integrations.xero.sandbox.schema import WEBHOOKS_SPEC, load_openapi, spec_dir, webhook_errors
from integrations.xero.tests.test_sandbox_payments import _create

AU = DEMO_AU_ORG_ID
KEY = "webhook-signing-key-from-the-xero-developer-portal"


class Receiver:
    """A webhook endpoint that checks signatures like the product must: 200 when right, 401 when not."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answer_always: int | None = None  # e.g. 200 for a receiver that checks nothing, 500 for an outage
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()
                valid = hmac.compare_digest(expected, self.headers.get("x-xero-signature", ""))
                status = receiver.answer_always or (200 if valid else 401)
                receiver.received.append({"body": json.loads(body), "valid": valid, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/xero/webhooks"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        return [r for r in self.received if r["body"]["events"]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.httpd.shutdown()
    r.httpd.server_close()


def test_intent_to_receive_passes_for_a_receiver_that_checks_signatures(xero_sandbox: Any, receiver: Receiver) -> None:
    hub = xero_sandbox.control.webhook_subscribe(receiver.url, KEY)

    assert hub["status"] == "OK"
    assert [(r["valid"], r["status"]) for r in receiver.received] == [(True, 200), (False, 401)] * 2
    assert all(r["body"]["events"] == [] and r["body"]["firstEventSequence"] == 0 for r in receiver.received)


def test_a_receiver_that_accepts_forgeries_fails_intent_and_gets_no_events(
    xero_sandbox: Any, xero_sandbox_sdk: Any, receiver: Receiver
) -> None:
    receiver.answer_always = 200

    hub = xero_sandbox.control.webhook_subscribe(receiver.url, KEY, auto_deliver=False)
    (invoice_id,) = _create(xero_sandbox_sdk)
    xero_sandbox.control.pay(AU, invoice_id)

    assert hub["status"] == "FAILED"
    assert xero_sandbox.control.webhook_deliver() == []
    assert receiver.events() == []


def test_create_and_payment_are_delivered_signed_in_one_payload(
    xero_sandbox: Any, xero_sandbox_sdk: Any, receiver: Receiver
) -> None:
    xero_sandbox.control.webhook_subscribe(receiver.url, KEY, auto_deliver=False)
    (invoice_id,) = _create(xero_sandbox_sdk)
    xero_sandbox.control.pay(AU, invoice_id, "10.00")

    statuses = xero_sandbox.control.webhook_deliver()

    (delivery,) = receiver.events()
    assert statuses == [200] and delivery["valid"]
    body = delivery["body"]
    assert [(e["eventType"], e["eventCategory"], e["resourceId"], e["tenantId"]) for e in body["events"]] == [
        ("CREATE", "INVOICE", invoice_id, AU), ("UPDATE", "INVOICE", invoice_id, AU),
    ]  # fmt: skip
    assert (body["firstEventSequence"], body["lastEventSequence"]) == (1, 2)
    assert xero_sandbox.control.webhooks()["pending"] == []


def test_faults_send_every_payload_twice_and_newest_first(
    xero_sandbox: Any, xero_sandbox_sdk: Any, receiver: Receiver
) -> None:
    xero_sandbox.control.webhook_subscribe(receiver.url, KEY, auto_deliver=False, duplicate=True, out_of_order=True)
    (invoice_id,) = _create(xero_sandbox_sdk)
    xero_sandbox.control.pay(AU, invoice_id, "10.00")

    xero_sandbox.control.webhook_deliver()

    sequences = [r["body"]["firstEventSequence"] for r in receiver.events()]
    assert sequences == [2, 2, 1, 1]
    assert all(r["valid"] for r in receiver.events())


def test_an_unanswered_delivery_stays_pending_and_is_retried(
    xero_sandbox: Any, xero_sandbox_sdk: Any, receiver: Receiver
) -> None:
    xero_sandbox.control.webhook_subscribe(receiver.url, KEY, auto_deliver=False)
    _create(xero_sandbox_sdk)
    receiver.answer_always = 500

    assert xero_sandbox.control.webhook_deliver() == [500]
    assert len(xero_sandbox.control.webhooks()["pending"]) == 1
    receiver.answer_always = None
    assert xero_sandbox.control.webhook_deliver() == [200]
    assert xero_sandbox.control.webhooks()["pending"] == []


def test_events_are_delivered_on_their_own_when_auto_delivery_is_on(
    xero_sandbox: Any, xero_sandbox_sdk: Any, receiver: Receiver
) -> None:
    xero_sandbox.control.webhook_subscribe(receiver.url, KEY)
    (invoice_id,) = _create(xero_sandbox_sdk)

    deadline = time.monotonic() + 10
    while not receiver.events() and time.monotonic() < deadline:
        time.sleep(0.02)

    assert [e["resourceId"] for r in receiver.events() for e in r["body"]["events"]] == [invoice_id]


def test_deliveries_match_xero_webhooks_spec(xero_sandbox: Any, xero_sandbox_sdk: Any, receiver: Receiver) -> None:
    spec = load_openapi(str(spec_dir() / WEBHOOKS_SPEC))
    xero_sandbox.control.webhook_subscribe(receiver.url, KEY, auto_deliver=False, out_of_order=True)
    (invoice_id,) = _create(xero_sandbox_sdk)
    xero_sandbox.control.pay(AU, invoice_id)
    xero_sandbox.control.webhook_deliver()
    deliveries = xero_sandbox.control.webhooks()["deliveries"]
    events = [d for d in deliveries if d["kind"] == "event"]
    intents = [d for d in deliveries if d["kind"] == "intent"]

    assert len(events) == 2 and len(intents) == 4
    assert [webhook_errors(spec, d) for d in events] == [[], []]
    # Xero's server guide sends sequence 0 for intent to receive; its document says minimum 1. Only that differs.
    for delivery in intents:
        errors = webhook_errors(spec, delivery)
        assert errors and all("less than the minimum of 1" in e for e in errors), errors
    broken = {**events[0], "body": {**events[0]["body"], "entropy": None}}
    assert webhook_errors(spec, broken) != []
