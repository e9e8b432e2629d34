"""Make sure every customer on a batch has a Xero ContactID before its invoices go.

Match first — ``ContactNumber`` (our customer code, settable only through the API, so it is the
natural key), then exact ``Name`` (Xero refuses a second active contact with the same name) —
and create only what is left with one batched ``PUT /Contacts``. Look-ups are batched with
``OR`` in the ``where`` filter, so 50 new customers cost about three calls, not a hundred.

Creation is serialised per organisation (a PostgreSQL advisory lock, released if the worker dies):
two runs with the same new customer would otherwise both create it, and Xero refuses the second
("The contact name must be unique across all active contacts"). The second run waits, then finds
the contact id the first one stored. A name clash that still happens (a Xero user typed the contact
in meanwhile) is settled by looking the contact up again, never by failing its invoices.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection
from xero_python.accounting import AccountingApi, Contact, Contacts

from customers.models import Customer
from freighttracker.validators import text_clean
from integrations.xero.export.calls import RateLimited, xero_call

WHERE_MAX_CHARS = 2500  # keep request URLs comfortably short
LOOKUP_CHUNK = 50
#: How long a step waits for another run's contact creation before rescheduling itself instead.
CREATE_LOCK_WAIT_SECONDS = 15.0
CREATE_LOCK_RETRY_SECONDS = 2.0
# Xero's words when a create clashes with an existing active contact.
NAME_CLASH_MARKERS = ("must be unique", "already exists", "already been used")


class ContactCreationBusy(RateLimited):
    """Another run of this organisation is creating contacts; try again shortly."""


@contextmanager
def _creation_lock(org: str) -> Iterator[None]:
    """Session-level advisory lock per Xero organisation; polls briefly, then asks to be rescheduled."""
    key = zlib.crc32(f"xero-contacts-create:{org}".encode())
    deadline = time.monotonic() + CREATE_LOCK_WAIT_SECONDS
    with connection.cursor() as cur:
        while True:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if cur.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                raise ContactCreationBusy(CREATE_LOCK_RETRY_SECONDS)
            time.sleep(0.2)
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [key])


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _where_chunks(field: str, values: Sequence[str]) -> Iterable[list[str]]:
    chunk: list[str] = []
    size = 0
    for value in values:
        term = f"{field}=={_quote(value)}"
        if chunk and (len(chunk) >= LOOKUP_CHUNK or size + len(term) + 4 > WHERE_MAX_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += len(term) + 4
    if chunk:
        yield chunk


def _lookup(*, api: AccountingApi, org: str, field: str, values: Sequence[str]) -> dict[str, str]:
    """value of ``field`` → ContactID for active contacts matching any of ``values`` exactly."""
    found: dict[str, str] = {}
    attr = "contact_number" if field == "ContactNumber" else "name"
    for chunk in _where_chunks(field, values):
        where = " OR ".join(f"{field}=={_quote(v)}" for v in chunk)
        result = xero_call(org=org, kind="contacts_get", fn=api.get_contacts, where=where, summary_only=True)
        wanted = set(chunk)
        for contact in result.contacts or []:
            key = getattr(contact, attr, None)
            status = getattr(contact.contact_status, "value", contact.contact_status)
            if key in wanted and status in (None, "ACTIVE") and key not in found:
                found[key] = contact.contact_id
    return found


def _match(*, api: AccountingApi, org: str, customers: Sequence[Customer]) -> dict[int, str]:
    """customer id → ContactID of an active Xero contact with its code (ContactNumber), else its Name."""
    resolved: dict[int, str] = {}
    if not customers:
        return resolved
    by_code = _lookup(api=api, org=org, field="ContactNumber", values=sorted({c.code for c in customers}))
    for c in customers:
        if c.code in by_code:
            resolved[c.id] = by_code[c.code]
    rest = [c for c in customers if c.id not in resolved]
    if rest:
        by_name = _lookup(api=api, org=org, field="Name", values=sorted({c.name for c in rest}))
        for c in rest:
            if c.name in by_name:
                resolved[c.id] = by_name[c.name]
    return resolved


def _create(*, api: AccountingApi, org: str, customers: Sequence[Customer]) -> tuple[dict[int, str], dict[int, str]]:
    """Create ``customers`` in Xero: (customer id → ContactID, customer id → Xero's refusal)."""
    resolved: dict[int, str] = {}
    errors: dict[int, str] = {}
    clashed: list[Customer] = []
    for start in range(0, len(customers), LOOKUP_CHUNK):
        chunk = customers[start : start + LOOKUP_CHUNK]
        body = Contacts(
            contacts=[
                Contact(contact_number=c.code, name=text_clean(c.name), email_address=c.email or None) for c in chunk
            ]
        )
        result = xero_call(org=org, kind="contacts_put", fn=api.create_contacts, contacts=body, summarize_errors=False)
        by_number = {ct.contact_number: ct for ct in result.contacts or []}
        for c in chunk:
            ct = by_number.get(c.code)
            if ct is not None and ct.contact_id and not ct.has_validation_errors:
                resolved[c.id] = ct.contact_id
                continue
            msgs = [ve.message for ve in (getattr(ct, "validation_errors", None) or [])]
            if any(marker in m.lower() for m in msgs for marker in NAME_CLASH_MARKERS):
                clashed.append(c)
            errors[c.id] = "Xero did not create the contact: " + ("; ".join(msgs) or "no answer for it")
    if clashed:
        # Someone created it between our look-up and our create: it exists, so use it.
        for customer_id, contact_id in _match(api=api, org=org, customers=clashed).items():
            resolved[customer_id] = contact_id
            errors.pop(customer_id, None)
    return resolved, errors


def _store(customers: Iterable[Customer], resolved: dict[int, str]) -> None:
    matched = [c for c in customers if c.id in resolved]
    for c in matched:
        c.xero_contact_id = resolved[c.id]
    Customer.objects.bulk_update(matched, ["xero_contact_id"])


def contacts_ensure(*, api: AccountingApi, org: str, customers: Iterable[Customer]) -> dict[int, str]:
    """Give every customer a ``xero_contact_id`` (matched or created); return customer id → error
    for the ones Xero would not create (their invoices fail with that message)."""
    missing = {c.id: c for c in customers if not c.xero_contact_id}
    if not missing:
        return {}
    resolved = _match(api=api, org=org, customers=list(missing.values()))
    _store(missing.values(), resolved)
    if len(resolved) == len(missing):
        return {}
    with _creation_lock(org):
        # Another run may have created (and stored) some of them while we waited for the lock.
        stored = dict(
            Customer.objects.filter(id__in=[i for i in missing if i not in resolved])
            .exclude(xero_contact_id="")
            .values_list("id", "xero_contact_id")
        )
        resolved.update(stored)
        created, errors = _create(api=api, org=org, customers=[c for c in missing.values() if c.id not in resolved])
        resolved.update(created)
        _store(missing.values(), resolved)  # inside the lock: the next run waiting sees them
    return errors
