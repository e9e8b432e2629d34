"""``/Contacts``: look-ups (where/searchTerm/IDs/page), batched create (PUT) and update-or-create (POST)."""

from __future__ import annotations

import copy
from typing import Any

from . import batch
from .shapes import EMPTY_UUID, envelope, ms_datetime, new_id
from .state import OrgState, SandboxState
from .wire import Request, Response

_WRITABLE = (
    "ContactNumber", "AccountNumber", "Name", "FirstName", "LastName", "CompanyNumber", "EmailAddress",
    "BankAccountDetails", "TaxNumber", "AccountsReceivableTaxType", "AccountsPayableTaxType", "Addresses", "Phones",
    "ContactPersons", "DefaultCurrency", "SalesDefaultAccountCode", "PurchasesDefaultAccountCode", "PaymentTerms",
    "IsSupplier", "IsCustomer", "ContactStatus", "XeroNetworkKey",
)  # fmt: skip
_SEARCHED = ("Name", "FirstName", "LastName", "ContactNumber", "CompanyNumber", "EmailAddress")


def contact_view(record: dict[str, Any]) -> dict[str, Any]:
    """Shallow: stored contacts are replaced on update, only top-level flags are set in place."""
    return dict(record)


def _name_taken(org: OrgState, name: str, *, except_id: str | None) -> bool:
    wanted = name.strip().lower()
    return any(
        c["Name"].strip().lower() == wanted and c["ContactStatus"] == "ACTIVE" and c["ContactID"] != except_id
        for c in org.contacts.values()
    )


def _validate(org: OrgState, merged: dict[str, Any], *, except_id: str | None) -> list[str]:
    errors = []
    name = merged.get("Name")
    if not isinstance(name, str) or not name.strip():
        errors.append("The contact name must be specified.")
    elif len(name) > 255:
        errors.append("The contact name must not be more than 255 characters long.")
    elif merged.get("ContactStatus", "ACTIVE") == "ACTIVE" and _name_taken(org, name, except_id=except_id):
        errors.append(
            f"The contact name {name} is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        )
    for field, limit in (("ContactNumber", 50), ("AccountNumber", 50), ("EmailAddress", 255)):
        value = merged.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errors.append(f"{field} must be text of at most {limit} characters.")
    if merged.get("ContactStatus", "ACTIVE") not in ("ACTIVE", "ARCHIVED"):
        errors.append("ContactStatus must be ACTIVE or ARCHIVED.")
    return errors


def contact_upsert(
    state: SandboxState, org: OrgState, data: dict[str, Any], *, create_only: bool
) -> tuple[dict[str, Any], list[str]]:
    """Create or update one contact (caller holds the lock); returns (element, errors)."""
    now = state.now()
    existing = None
    contact_id = data.get("ContactID")
    if contact_id:
        existing = org.contacts.get(str(contact_id).lower())
        if existing is None:
            echo = {k: data[k] for k in _WRITABLE if k in data}
            return {"ContactID": EMPTY_UUID, **echo}, [f"The contact with ContactID {contact_id} could not be found."]
    elif not create_only and data.get("ContactNumber"):
        existing = next((c for c in org.contacts.values() if c.get("ContactNumber") == data["ContactNumber"]), None)
    fields = {k: copy.deepcopy(data[k]) for k in _WRITABLE if k in data}
    if isinstance(fields.get("Name"), str):
        fields["Name"] = fields["Name"].strip()
    merged = {**(existing or {"ContactStatus": "ACTIVE"}), **fields}
    errors = _validate(org, merged, except_id=existing["ContactID"] if existing else None)
    if errors:
        return {"ContactID": existing["ContactID"] if existing else EMPTY_UUID, **fields}, errors
    if existing is None:
        merged.update(
            {
                "ContactID": new_id(),
                "Addresses": merged.get("Addresses", []),
                "Phones": merged.get("Phones", []),
                "ContactGroups": [],
                "ContactPersons": merged.get("ContactPersons", []),
                "IsSupplier": bool(merged.get("IsSupplier", False)),
                "IsCustomer": bool(merged.get("IsCustomer", False)),
                "HasAttachments": False,
                "HasValidationErrors": False,
            }
        )
        state.count("events", "contacts_created")
    merged["UpdatedDateUTC"] = ms_datetime(now)
    org.contacts[merged["ContactID"]] = merged
    return contact_view(merged), []


def contacts_get(state: SandboxState, org: OrgState, request: Request) -> Response:
    with state.lock:
        contact_id = request.path_params.get("id")
        if contact_id:
            found = org.contacts.get(contact_id.lower()) or next(
                (c for c in org.contacts.values() if c.get("ContactNumber") == contact_id), None
            )
            if found is None:
                return Response.json(404, {"Title": "Not Found", "Status": 404})
            return Response.json(200, envelope("Contacts", [contact_view(found)], state.now()))
        records = list(org.contacts.values())
        if not request.q_bool("includeArchived", False):
            records = [c for c in records if c["ContactStatus"] != "ARCHIVED"]
        ids = request.q_list("IDs")
        if ids is not None:
            wanted = {i.lower() for i in ids}
            records = [c for c in records if c["ContactID"] in wanted]
        term = (request.q("searchTerm") or "").strip().lower()
        if term:
            records = [c for c in records if any(term in str(c.get(f) or "").lower() for f in _SEARCHED)]
        result = batch.filtered(records, request)
        if isinstance(result, Response):
            return result
        result.sort(key=lambda c: c["Name"].lower())
        page, extra = batch.paged(batch.ordered(result, request), request)
        return Response.json(200, envelope("Contacts", [contact_view(c) for c in page], state.now(), **extra))


def contacts_write(state: SandboxState, org: OrgState, request: Request) -> Response:
    items = batch.elements(request, "Contacts")
    if isinstance(items, Response):
        return items
    with state.lock:
        results = [contact_upsert(state, org, item, create_only=request.method == "PUT") for item in items]
        return batch.batch_response(
            key="Contacts",
            results=results,
            summarize=batch.summarize_errors(request),
            now=state.now(),
            error_flag="HasValidationErrors",
        )
