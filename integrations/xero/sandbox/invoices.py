"""``/Invoices``: look-ups, batched create (PUT) and update-or-create (POST) with Xero's validations.

Totals are computed the way Xero does: line amounts rounded to cents, tax per line by
LineAmountTypes, SubTotal + TotalTax = Total.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from . import batch, webhooks
from .contacts import contact_upsert
from .shapes import (
    EMPTY_UUID,
    api_exception,
    date_string,
    envelope,
    modified_since,
    ms_date,
    ms_datetime,
    ms_timestamp,
    new_id,
    parse_date,
    round_dec,
    to_decimal,
)
from .shapes import money as m
from .state import OrgState, SandboxState
from .wire import Request, Response

_TYPES = ("ACCREC", "ACCPAY")
_AMOUNT_TYPES = {"exclusive": "Exclusive", "inclusive": "Inclusive", "notax": "NoTax"}
_CREATE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
_TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
}
PAID_EDIT_MESSAGE = "This document cannot be edited as it has a payment or credit note allocated to it."
REJECT_MESSAGE = "Rejected by the sandbox (reject_invoice_number_regex)."
_INPUT_KEYS = ("Type", "Contact", "Date", "DueDate", "LineAmountTypes", "InvoiceNumber", "Reference", "BrandingThemeID",
               "Url", "CurrencyCode", "Status", "LineItems", "SentToContact", "ExpectedPaymentDate")  # fmt: skip


def _find_tracking(org: OrgState, item: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    cat_id, cat_name = str(item.get("TrackingCategoryID") or "").lower(), str(item.get("Name") or "").lower()
    category = next(
        (c for c in org.tracking if c["TrackingCategoryID"] == cat_id or (cat_name and c["Name"].lower() == cat_name)),
        None,
    )
    if category is None:
        return None, f"The tracking category '{item.get('Name') or item.get('TrackingCategoryID')}' does not exist."
    opt_id, opt_name = str(item.get("TrackingOptionID") or "").lower(), str(item.get("Option") or "").lower()
    option = next(
        (
            o
            for o in category["Options"]
            if o["TrackingOptionID"] == opt_id or (opt_name and o["Name"].lower() == opt_name)
        ),
        None,
    )
    if option is None:
        return (
            None,
            f"'{item.get('Option') or opt_id}' is not a valid option for tracking category '{category['Name']}'.",
        )
    ids = {"TrackingCategoryID": category["TrackingCategoryID"], "TrackingOptionID": option["TrackingOptionID"]}
    return {**ids, "Name": category["Name"], "Option": option["Name"]}, None


def _line_build(org: OrgState, line: dict[str, Any], *, amount_type: str, status: str, unitdp: int,
                errors: list[str]) -> tuple[dict[str, Any], Decimal, Decimal]:  # fmt: skip
    out: dict[str, Any] = {"LineItemID": str(line.get("LineItemID") or new_id()).lower()}
    description = line.get("Description")
    if description is not None:
        out["Description"] = str(description)
    if line.get("ItemCode"):
        out["ItemCode"] = str(line["ItemCode"])
    if not out.get("Description") and not out.get("ItemCode"):
        errors.append("The description field is mandatory for each line item.")
    quantity = to_decimal(line.get("Quantity"), Decimal(1))
    unit = to_decimal(line.get("UnitAmount"), None)
    discount = to_decimal(line.get("DiscountRate"), Decimal(0))
    if quantity is None or discount is None or (line.get("UnitAmount") is not None and unit is None):
        errors.append("Quantity, UnitAmount and DiscountRate must be numbers.")
        quantity, unit, discount = Decimal(1), Decimal(0), Decimal(0)
    if unit is None:
        given = to_decimal(line.get("LineAmount"), Decimal(0)) or Decimal(0)
        unit = given / quantity if quantity else Decimal(0)
    unit = round_dec(unit, 4 if unitdp == 4 else 2)
    quantity = round_dec(quantity, 4)
    line_amount = round_dec(quantity * unit * (Decimal(100) - discount) / Decimal(100))
    account_code = line.get("AccountCode")
    account = None
    if account_code not in (None, ""):
        account = org.account(str(account_code))
        if account is None:
            errors.append(f"Account code '{account_code}' is not a valid code for this document.")
        else:
            out.update({"AccountCode": account["Code"], "AccountID": account["AccountID"]})
    elif status in ("SUBMITTED", "AUTHORISED"):
        errors.append("An account code must be specified for each line item of an approved invoice.")
    tax_type = line.get("TaxType") or (account or {}).get("TaxType") or "NONE"
    rate = org.tax_rate(str(tax_type))
    if rate is None:
        errors.append(f"The TaxType code '{tax_type}' does not exist or cannot be used with this type of transaction.")
        rate = Decimal(0)
    out["TaxType"] = tax_type
    if amount_type == "NoTax":
        tax = Decimal(0)
    elif amount_type == "Inclusive":
        tax = round_dec(line_amount * rate / (Decimal(100) + rate))
    else:
        tax = round_dec(line_amount * rate / Decimal(100))
    tracking = []
    for item in (line.get("Tracking") or [])[:3]:
        resolved, problem = _find_tracking(org, item if isinstance(item, dict) else {})
        if problem:
            errors.append(problem)
        elif resolved:
            tracking.append(resolved)
    if len(tracking) > 2:
        errors.append("A line item can have at most two tracking categories.")
    out.update(
        {
            "Quantity": m(quantity, 4),
            "UnitAmount": m(unit, 4),
            "TaxAmount": m(tax),
            "LineAmount": m(line_amount),
            "Tracking": tracking,
        }
    )
    if discount:
        out["DiscountRate"] = m(discount)
    subtotal_part = line_amount - tax if amount_type == "Inclusive" else line_amount
    return out, subtotal_part, tax


def _resolve_contact(state: SandboxState, org: OrgState, contact: Any, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(contact, dict) or not (contact.get("ContactID") or contact.get("Name")):
        errors.append("A Contact must be specified for this type of transaction")
        return None
    if contact.get("ContactID"):
        found = org.contacts.get(str(contact["ContactID"]).lower())
        if found is None:
            errors.append(f"The contact with ContactID {contact['ContactID']} could not be found.")
        return found
    wanted = str(contact["Name"]).strip().lower()
    found = next(
        (c for c in org.contacts.values() if c["Name"].lower() == wanted and c["ContactStatus"] == "ACTIVE"), None
    )
    if found is None:  # Xero creates a contact named on an invoice when none matches
        created, problems = contact_upsert(state, org, contact, create_only=True)
        errors.extend(problems)
        found = org.contacts.get(created["ContactID"])
    return found


def invoice_build(state: SandboxState, org: OrgState, data: dict[str, Any], *, existing: dict[str, Any] | None,
                  unitdp: int) -> tuple[dict[str, Any], list[str]]:  # fmt: skip
    """Validate and compute one invoice; returns the record to store (or echo) and its errors."""
    errors: list[str] = []
    base = {k: copy.deepcopy(existing[k]) for k in _INPUT_KEYS if existing and k in existing}
    merged = {**base, **{k: v for k, v in data.items() if k in _INPUT_KEYS}}
    type_ = merged.get("Type")
    if type_ not in _TYPES:
        errors.append("Invoice Type must be ACCREC or ACCPAY." if type_ else "Invoice Type must be specified.")
    contact = _resolve_contact(state, org, merged.get("Contact"), errors)
    status = str(merged.get("Status") or "DRAFT").upper()
    if existing is None and status not in _CREATE_STATUSES:
        errors.append(f"Invoice status {status} is not valid for a new invoice.")
    if existing is not None and existing.get("Payments"):
        errors.append(PAID_EDIT_MESSAGE)  # Xero refuses any edit once money is allocated
    elif existing is not None and status not in _TRANSITIONS.get(existing["Status"], set()):
        errors.append("Invoice not of valid status for modification")
    amount_type = _AMOUNT_TYPES.get(str(merged.get("LineAmountTypes") or "Exclusive").lower().replace(" ", ""))
    if amount_type is None:
        errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        amount_type = "Exclusive"
    day = parse_date(merged["Date"]) if merged.get("Date") else dt.datetime.fromtimestamp(state.now(), dt.UTC).date()
    due = parse_date(merged["DueDate"]) if merged.get("DueDate") else None
    if day is None or (merged.get("DueDate") and due is None):
        errors.append("Date and DueDate must be valid dates.")
    number = merged.get("InvoiceNumber")
    if number is not None and (not isinstance(number, str) or len(number) > 255):
        errors.append("InvoiceNumber must be text of at most 255 characters.")
    elif type_ == "ACCREC" and number:
        holder = org.invoice_numbers.get(number.strip().lower())
        if holder and (existing is None or holder != existing["InvoiceID"]):
            errors.append("Invoice # must be unique.")
    reference = merged.get("Reference")
    if reference is not None and len(str(reference)) > 255:
        errors.append("Reference must not be more than 255 characters long.")
    currency = merged.get("CurrencyCode") or org.currency
    if not org.currency_enabled(str(currency)):
        errors.append(f"The currency {currency} is not enabled for this organisation.")
    theme_id = str(merged.get("BrandingThemeID") or org.themes[0]["BrandingThemeID"]).lower()
    if not any(t["BrandingThemeID"] == theme_id for t in org.themes):
        errors.append(f"Branding theme {theme_id} does not exist.")
    raw_lines = merged.get("LineItems") or []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append("At least one line item must be specified.")
        raw_lines = []
    lines, subtotal, total_tax = [], Decimal(0), Decimal(0)
    for raw in raw_lines:
        line, sub, tax = _line_build(org, raw if isinstance(raw, dict) else {}, amount_type=amount_type,
                                     status=status, unitdp=unitdp, errors=errors)  # fmt: skip
        lines.append(line)
        subtotal += sub
        total_tax += tax
    total = subtotal + total_tax
    now = state.now()
    record: dict[str, Any] = {
        "Type": type_ if type_ in _TYPES else "ACCREC",
        "InvoiceID": existing["InvoiceID"] if existing else (EMPTY_UUID if errors else new_id()),
        "Contact": {"ContactID": contact["ContactID"]} if contact else {"ContactID": EMPTY_UUID},
        "Status": status,
        "LineAmountTypes": amount_type,
        "LineItems": lines,
        "SubTotal": m(subtotal),
        "TotalTax": m(total_tax),
        "Total": m(total),
        "AmountDue": m(total),
        "AmountPaid": 0.0,
        "AmountCredited": 0.0,
        "CurrencyCode": currency,
        "CurrencyRate": 1.0,
        "BrandingThemeID": theme_id,
        "SentToContact": bool(merged.get("SentToContact", False)),
        "IsDiscounted": any("DiscountRate" in line for line in lines),
        "HasAttachments": False,
        "HasErrors": False,
        "UpdatedDateUTC": ms_datetime(now),
    }
    if day:
        record.update({"Date": ms_date(day), "DateString": date_string(day)})
    if due:
        record.update({"DueDate": ms_date(due), "DueDateString": date_string(due)})
    for key in ("InvoiceNumber", "Reference", "Url"):
        if merged.get(key) is not None:
            record[key] = str(merged[key])
    return record, errors


def invoice_view(org: OrgState, record: dict[str, Any], *, summary: bool = False) -> dict[str, Any]:
    """The API shape of a stored invoice. Stored records are never mutated after storing (updates
    replace them), so a shallow copy is safe and keeps 10,000-invoice look-ups cheap."""
    out = dict(record)
    contact = org.contacts.get(record["Contact"]["ContactID"])
    if contact:
        out["Contact"] = {
            k: contact[k]
            for k in ("ContactID", "ContactNumber", "AccountNumber", "ContactStatus", "Name", "EmailAddress",
                      "Addresses", "Phones", "ContactGroups", "ContactPersons", "HasValidationErrors")
            if k in contact
        }  # fmt: skip
    out.update({"Prepayments": [], "Overpayments": [], "CreditNotes": []})
    out["Payments"] = [dict(p) for p in record.get("Payments", [])]
    if summary:
        out.pop("LineItems", None)
    return out


def _store(state: SandboxState, org: OrgState, record: dict[str, Any], existing: dict[str, Any] | None) -> None:
    if existing and existing.get("InvoiceNumber"):
        org.invoice_numbers.pop(existing["InvoiceNumber"].strip().lower(), None)
    if record["Type"] == "ACCREC":
        if not record.get("InvoiceNumber"):
            while True:
                org.invoice_seq += 1
                candidate = f"INV-{org.invoice_seq:04d}"
                if candidate.lower() not in org.invoice_numbers:
                    break
            record["InvoiceNumber"] = candidate
        org.invoice_numbers[record["InvoiceNumber"].strip().lower()] = record["InvoiceID"]
        contact = org.contacts.get(record["Contact"]["ContactID"])
        if contact:
            contact["IsCustomer"] = True
    org.invoices[record["InvoiceID"]] = record
    if existing is None:
        state.count("events", "invoices_created")
    webhooks.event_queue(state, org_id=org.org_id, resource_id=record["InvoiceID"],
                         event_type="UPDATE" if existing else "CREATE")  # fmt: skip


def _find_existing(org: OrgState, data: dict[str, Any], *, by_number: bool) -> dict[str, Any] | str | None:
    invoice_id = data.get("InvoiceID")
    if invoice_id:
        found = org.invoices.get(str(invoice_id).lower())
        return found if found is not None else f"Invoice {invoice_id} could not be found."
    number = data.get("InvoiceNumber")
    if by_number and isinstance(number, str) and number.strip():
        holder = org.invoice_numbers.get(number.strip().lower())
        return org.invoices.get(holder) if holder else None
    return None


def invoices_write(state: SandboxState, org: OrgState, request: Request) -> Response:
    items = batch.elements(request, "Invoices")
    if isinstance(items, Response):
        return items
    unitdp = 4 if request.q("unitdp") == "4" else 2
    with state.lock:
        pattern = state.config.reject_invoice_number_regex
        rejecter = re.compile(pattern) if pattern else None
        results = []
        for item in items:
            existing = _find_existing(org, item, by_number=request.method == "POST")
            if isinstance(existing, str):
                record, errors = invoice_build(state, org, item, existing=None, unitdp=unitdp)
                record["InvoiceID"] = EMPTY_UUID
                results.append((invoice_view(org, record), [existing, *errors]))
                continue
            record, errors = invoice_build(state, org, item, existing=existing, unitdp=unitdp)
            if rejecter and rejecter.search(str(item.get("InvoiceNumber") or "")):
                errors.append(REJECT_MESSAGE)
            if not errors:
                _store(state, org, record, existing)
            results.append((invoice_view(org, record), errors))
        return batch.batch_response(
            key="Invoices", results=results, summarize=batch.summarize_errors(request), now=state.now(),
            error_flag="HasErrors",
        )  # fmt: skip


def invoices_get(state: SandboxState, org: OrgState, request: Request) -> Response:
    with state.lock:
        key = request.path_params.get("id")
        if key:
            found = org.invoices.get(key.lower()) or org.invoices.get(org.invoice_numbers.get(key.lower(), ""))
            if found is None:
                return Response.json(404, {"Title": "Not Found", "Status": 404, "Detail": "Invoice not found"})
            return Response.json(200, envelope("Invoices", [invoice_view(org, found)], state.now()))
        summary = request.q_bool("summaryOnly", False)
        since = modified_since(request.header("if-modified-since"))
        if since == "invalid":
            return Response.json(400, api_exception(16, "QueryParseException", "If-Modified-Since is not a date-time"))
        # Narrow on the stored records first (indexes for ids and numbers): look-ups stay cheap at 10,000s.
        ids, numbers = request.q_list("IDs"), request.q_list("InvoiceNumbers")
        raw: list[dict[str, Any]] = list(org.invoices.values())
        if ids is not None:
            raw = [r for i in dict.fromkeys(v.lower() for v in ids) if (r := org.invoices.get(i))]
        if numbers is not None:
            wanted_ids = {org.invoice_numbers.get(n.strip().lower()) for n in numbers} - {None}
            if ids is None:
                raw = [org.invoices[i] for i in wanted_ids if i in org.invoices]
            else:
                raw = [r for r in raw if r["InvoiceID"] in wanted_ids]
        statuses = request.q_list("Statuses")
        if statuses is not None:
            wanted = {v.upper() for v in statuses}
            raw = [r for r in raw if r["Status"] in wanted]
        contact_ids = request.q_list("ContactIDs")
        if contact_ids is not None:
            wanted = {v.lower() for v in contact_ids}
            raw = [r for r in raw if r["Contact"]["ContactID"] in wanted]
        if isinstance(since, float):
            # Xero docs (getInvoices): "Only records created or modified since this timestamp will be returned"
            raw = [r for r in raw if ms_timestamp(r["UpdatedDateUTC"]) >= since]
        records = [invoice_view(org, r) for r in raw]
        term = (request.q("searchTerm") or "").strip().lower()
        if term:
            records = [r for r in records if term in f"{r.get('InvoiceNumber', '')} {r.get('Reference', '')}".lower()]
        result = batch.filtered(records, request)
        if isinstance(result, Response):
            return result
        page, extra = batch.paged(batch.ordered(result, request), request)
        if summary:
            page = [{k: v for k, v in r.items() if k != "LineItems"} for r in page]
        return Response.json(200, envelope("Invoices", page, state.now(), **extra))
