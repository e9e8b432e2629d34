"""Xero webhooks from the sandbox: a subscription (URL + signing key), intent to receive, INVOICE events
queued on every create, update and payment, and signed deliveries with two faults (sent twice, out of order).

Xero docs: https://developer.xero.com/documentation/guides/webhooks/configuring-your-server
- the body is signed with HMAC-SHA256 under the webhook key, base64, in ``x-xero-signature``;
- the receiver answers 200 within 5 seconds with no body, and 401 to a wrongly signed body;
- intent to receive: POSTs with ``"events": []`` and sequences 0, some signed wrongly, before any event.
Xero's webhooks document says ``firstEventSequence`` has minimum 1; its server guide sends 0 for intent
to receive. The sandbox follows the guide (see ``test_sandbox_webhooks.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import SandboxState

RESOURCE_BASE = "https://api.xero.com/api.xro/2.0"
DELIVERY_TIMEOUT = 5  # Xero gives the receiver 5 seconds
INTENT_ROUNDS = 4  # payloads per intent-to-receive check; every other one is signed with a wrong key


def signature(key: str, body: bytes) -> str:
    """``x-xero-signature``: base64 of HMAC-SHA256 of the raw body under the webhook key."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def _event_time(ts: float) -> str:
    # Xero's examples show 2024-06-21T01:15:39.902 (no offset), which its own schema's date-time format
    # rejects; the sandbox adds the Z so deliveries validate. Receivers should accept both.
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class WebhookHub:
    """One app-level subscription, its queue of undelivered events and the log of deliveries."""

    url: str | None = None
    key: str | None = None
    status: str = "OFF"  # OFF | OK (intent passed) | FAILED (intent failed)
    auto_deliver: bool = True
    duplicate: bool = False  # fault: every payload is delivered twice
    out_of_order: bool = False  # fault: one event per payload, newest first
    sequence: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url, "status": self.status, "auto_deliver": self.auto_deliver, "duplicate": self.duplicate,
            "out_of_order": self.out_of_order, "pending": list(self.pending), "deliveries": list(self.deliveries),
        }  # fmt: skip


def event_queue(state: SandboxState, *, org_id: str, resource_id: str, event_type: str) -> None:
    """Record an INVOICE event (caller holds ``state.lock``); deliver soon if auto delivery is on."""
    hub = state.webhooks
    if hub.status != "OK":
        return
    hub.sequence += 1
    hub.pending.append(
        {
            "resourceUrl": f"{RESOURCE_BASE}/Invoices/{resource_id}",
            "resourceId": resource_id,
            "eventDateUtc": _event_time(state.now()),
            "eventType": event_type,
            "eventCategory": "INVOICE",
            "tenantId": org_id,
            "tenantType": "ORGANISATION",
            "_sequence": hub.sequence,
        }
    )
    if hub.auto_deliver:
        threading.Thread(target=deliver, args=(state,), daemon=True, name="xero-sandbox-webhook").start()


def _post(url: str, body: bytes, sig: str) -> tuple[int | None, str | None]:
    if not url.startswith(("http://", "https://")):
        return None, f"not an http URL: {url}"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json", "x-xero-signature": sig}
    )
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT) as response:  # noqa: S310
            return int(response.status), None
    except urllib.error.HTTPError as exc:
        return int(exc.code), None
    except OSError as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _send(state: SandboxState, payload: dict[str, Any], *, key: str, kind: str) -> int | None:
    hub = state.webhooks
    body = json.dumps(payload, separators=(",", ":")).encode()
    status, error = _post(hub.url or "", body, signature(key, body))
    with state.lock:
        hub.deliveries.append(
            {
                "kind": kind,
                "body": payload,
                "signed_correctly": key == hub.key,
                "status": status,
                "error": error,
                "at": state.now(),
            }
        )
        state.count("events", f"webhook_{kind}")
    return status


def _payload(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "events": [{k: v for k, v in e.items() if not k.startswith("_")} for e in events],
        "firstEventSequence": events[0]["_sequence"] if events else 0,
        "lastEventSequence": events[-1]["_sequence"] if events else 0,
        "entropy": secrets.token_hex(10).upper(),
    }


def deliver(
    state: SandboxState, *, duplicate: bool | None = None, out_of_order: bool | None = None
) -> list[int | None]:
    """Send every pending event now; events of a payload that was not answered 200 stay pending (Xero retries)."""
    hub = state.webhooks
    with hub.send_lock:
        with state.lock:
            events, hub.pending = hub.pending, []
            key = hub.key or ""
            twice = hub.duplicate if duplicate is None else duplicate
            reverse = hub.out_of_order if out_of_order is None else out_of_order
        if not events:
            return []
        batches = [[e] for e in reversed(events)] if reverse else [events]
        statuses: list[int | None] = []
        failed: list[dict[str, Any]] = []
        for batch in batches:
            payload = _payload(batch)
            answers = [_send(state, payload, key=key, kind="event") for _ in range(2 if twice else 1)]
            statuses.extend(answers)
            if 200 not in answers:
                failed.extend(batch)
        if failed:
            with state.lock:
                hub.pending = sorted(failed + hub.pending, key=lambda e: e["_sequence"])
        return statuses


def subscribe(state: SandboxState, *, url: str, key: str) -> dict[str, Any]:
    """Point the subscription at ``url`` and run intent to receive: correctly signed payloads must get
    200 and wrongly signed ones 401, or the subscription stays FAILED and no event is sent."""
    hub = state.webhooks
    with state.lock:
        hub.url, hub.key, hub.status, hub.pending = url, key, "PENDING", []
    wrong_key = secrets.token_urlsafe(32)
    checks = []
    for n in range(INTENT_ROUNDS):
        signed_correctly = n % 2 == 0
        status = _send(state, _payload([]), key=key if signed_correctly else wrong_key, kind="intent")
        checks.append(status == (200 if signed_correctly else 401))
    with state.lock:
        hub.status = "OK" if all(checks) else "FAILED"
        return hub.as_dict()


def unsubscribe(state: SandboxState) -> None:
    with state.lock:
        hub = state.webhooks
        hub.url, hub.key, hub.status, hub.pending = None, None, "OFF", []
