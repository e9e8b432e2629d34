"""Make sure every customer on a batch has a Xero ContactID before its invoices go.

Match first — ``ContactNumber`` (our customer code, settable only through the API, so it is the
natural key), then exact ``Name`` (Xero refuses a second active contact with the same name) —
and create only what is left with one batched ``PUT /Contacts``. Look-ups are batched with
``OR`` in the ``where`` filter, so 50 new customers cost about three calls, not a hundred.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xero_python.accounting import AccountingApi, Contact, Contacts

from customers.models import Customer
from freighttracker.validators import text_clean
from integrations.xero.export.calls import xero_call

WHERE_MAX_CHARS = 2500  # keep request URLs comfortably short
LOOKUP_CHUNK = 50


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


def contacts_ensure(*, api: AccountingApi, org: str, customers: Iterable[Customer]) -> dict[int, str]:
    """Give every customer a ``xero_contact_id`` (matched or created); return customer id → error
    for the ones Xero would not create (their invoices fail with that message)."""
    missing = {c.id: c for c in customers if not c.xero_contact_id}
    if not missing:
        return {}
    resolved: dict[int, str] = {}
    by_code = _lookup(api=api, org=org, field="ContactNumber", values=sorted({c.code for c in missing.values()}))
    for c in missing.values():
        if c.code in by_code:
            resolved[c.id] = by_code[c.code]
    rest = [c for c in missing.values() if c.id not in resolved]
    if rest:
        by_name = _lookup(api=api, org=org, field="Name", values=sorted({c.name for c in rest}))
        for c in rest:
            if c.name in by_name:
                resolved[c.id] = by_name[c.name]
    errors: dict[int, str] = {}
    to_create = [c for c in missing.values() if c.id not in resolved]
    for start in range(0, len(to_create), LOOKUP_CHUNK):
        chunk = to_create[start : start + LOOKUP_CHUNK]
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
            else:
                msgs = [ve.message for ve in (getattr(ct, "validation_errors", None) or [])]
                errors[c.id] = "Xero did not create the contact: " + ("; ".join(msgs) or "no answer for it")
    for c in missing.values():
        if c.id in resolved:
            c.xero_contact_id = resolved[c.id]
    Customer.objects.bulk_update([c for c in missing.values() if c.id in resolved], ["xero_contact_id"])
    return errors
