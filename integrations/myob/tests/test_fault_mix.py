"""Exactly once without an idempotency key: 320 invoices through mixed MYOB faults, on an older file.

``export_once`` is the reference procedure for the export core (issue 10), built only from the
client's error kinds and ``invoice_find_by_number``: a *wait* is retried, a *permanent* error fails
with MYOB's words, an *uncertain* POST is never resent until a look-up proves the invoice absent, and
each proof allows one resend. (The core also looks again after a delay before resending, since MYOB
may still be working on a timed-out request; the sandbox commits before it stops answering.)
The test proves the client and the sandbox give the core what it needs: every invoice ends exported
exactly once or failed, none stays uncertain, and MYOB holds no duplicate.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from integrations.myob.client import MyobClient, MyobInvoice
from integrations.myob.errors import MyobPermanent, MyobUncertain, MyobWait
from integrations.myob.payload import MyobInvoiceDraft, MyobLine, customer_payload, service_invoice_payload
from sandboxes.myob.pytest_plugin import MyobSandboxHandle

from .conftest import make_client

POST_FAULTS = {
    "rate_limit": 30,
    "429": 10,
    "504": 30,
    "commit_then_504": 30,
    "reset": 25,
    "commit_then_reset": 25,
    "commit_then_timeout": 12,
    "500": 15,
    "503": 10,
}
INVOICES = 320


def _find(client: MyobClient, number: str) -> list[MyobInvoice]:
    """A look-up is a read: safe to repeat whatever went wrong."""
    for _ in range(10):
        try:
            return client.invoice_find_by_number(number=number)
        except (MyobWait, MyobUncertain):
            continue
    raise AssertionError(f"look-up of {number} kept failing")


def export_once(client: MyobClient, payload: dict[str, object], waits: list[float]) -> tuple[str, str]:
    """("exported", UID) or ("failed", MYOB's words) or ("unknown", why)."""
    number = str(payload["Number"])
    resends = 0
    while True:
        try:
            return "exported", client.invoice_create_service(payload=payload).uid
        except MyobWait as exc:
            waits.append(exc.retry_after)  # the core sleeps (or re-queues); nothing was created
        except MyobPermanent as exc:
            return "failed", exc.words
        except MyobUncertain:
            found = _find(client, number)
            if found:
                return "exported", found[0].uid
            if resends == 3:
                return "unknown", "still missing after three resends"
            resends += 1  # absence proven: this proof allows one resend


def test_320_invoices_through_mixed_faults_end_exported_once_or_failed(myob_sandbox: MyobSandboxHandle) -> None:
    business = myob_sandbox.legacy_business_id  # numeric Numbers are stored zero-padded: look-ups use endswith
    client, _ = make_client(myob_sandbox, business_id=business, read_timeout=0.3)
    account = next(a.uid for a in client.accounts_list() if a.display_id == "4-1000")
    header = next(a.uid for a in client.accounts_list() if a.is_header)
    tax = next(t.uid for t in client.tax_codes_list() if t.code == "GST")
    customer = client.customer_create(
        payload=customer_payload(code="MIX", name="Mix Co", tax_code_uid=tax, freight_tax_code_uid=tax)
    ).uid
    rng = random.Random(20261205)
    plan: list[str | None] = [kind for kind, n in POST_FAULTS.items() for _ in range(n)]
    plan += [None] * (INVOICES - len(plan))
    rng.shuffle(plan)
    failing = set(rng.sample(range(INVOICES), 8))  # a header account: MYOB refuses these for good
    server = myob_sandbox.server
    outcomes: dict[str, tuple[str, str]] = {}
    waits: list[float] = []
    for i, kind in enumerate(plan):
        number = str(7_000_001 + i)
        if kind:
            server.add_fault(kind, method="POST", path="/Sale/Invoice/Service", hold_seconds=5)
            if i % 7 == 0:  # and the look-up that settles it fails once too
                server.add_fault(rng.choice(["504", "reset", "rate_limit"]), method="GET", path="/Sale/Invoice")
            if kind in ("504", "reset") and i % 3 == 0:  # the one resend is itself uncertain (but committed)
                server.add_fault(
                    rng.choice(["commit_then_504", "commit_then_reset"]), method="POST", path="/Sale/Invoice/Service"
                )
        line = MyobLine(
            description=f"Job {i}",
            total=Decimal("10.00"),
            account_uid=header if i in failing else account,
            tax_code_uid=tax,
        )
        draft = MyobInvoiceDraft(
            tms_invoice_id=i + 1,
            tms_number=number,
            date=dt.date(2026, 12, 1),
            customer_uid=customer,
            is_tax_inclusive=False,
            lines=[line],
        )
        outcomes[number] = export_once(client, service_invoice_payload(draft=draft), waits)
        server.state.faults.clear()

    kinds = Counter(kind for kind, _ in outcomes.values())
    assert kinds == {"exported": INVOICES - len(failing), "failed": len(failing)}
    assert all("InvalidAccount" in words for kind, words in outcomes.values() if kind == "failed")
    stored = myob_sandbox.control.invoices(business)
    numbers = Counter(inv["Number"] for inv in stored)
    assert max(numbers.values()) == 1  # no duplicates
    assert len(stored) == INVOICES - len(failing)
    exported = {uid for kind, uid in outcomes.values() if kind == "exported"}
    assert exported == {inv["UID"] for inv in stored}
    assert len(waits) == POST_FAULTS["rate_limit"] + POST_FAULTS["429"]
    stats = myob_sandbox.control.stats()
    assert stats["events"].get("duplicate_numbers", 0) == 0
    assert sum(v for k, v in stats["events"].items() if k.startswith("fault_")) >= sum(POST_FAULTS.values())
