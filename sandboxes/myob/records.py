"""Customers and service invoices: MYOB's validation on create, and the records as MYOB returns them.

Field limits: Contact/Customer page (CompanyName 50, LastName 30, FirstName 20, DisplayID 15, at most 5
addresses) and the Invoice/Service page (Number 13). CustomerPurchaseOrderNumber, JournalMemo, Comment
and line Description limits are configurable (see ``SandboxConfig``): the sources disagree or are silent.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .errors import error
from .state import Business, SandboxConfig

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_FORBIDDEN_ON_POST = ("UID", "RowID", "RowVersion")
_CENT = Decimal("0.01")
Errors = list[dict[str, Any]]


def uid() -> str:
    return str(uuid.uuid4())


def forbidden_on_post(body: dict[str, Any]) -> bool:
    """MYOB: a POST carrying UID/RowID/RowVersion is answered 409 (apisupport article 4788117269647)."""
    if any(key in body for key in _FORBIDDEN_ON_POST):
        return True
    lines = body.get("Lines")
    return isinstance(lines, list) and any(isinstance(li, dict) and "RowID" in li for li in lines)


def _text(
    body: dict[str, Any], name: str, limit: int, errors: Errors, *, required: bool = False, label: str | None = None
) -> str | None:
    value = body.get(name)
    label = label or name
    if value is None or value == "":
        if required:
            errors.append(error("Required", f"{label} is required", label))
        return None
    if not isinstance(value, str):
        errors.append(error("SerializationError", f"{label} must be text", label))
        return None
    if len(value) > limit:
        errors.append(
            error("ValueTooLong", f"{label} is {len(value)} characters long; at most {limit} are allowed", label)
        )
        return None
    return value


def _link_uid(body: dict[str, Any], name: str, errors: Errors, *, label: str | None = None) -> str | None:
    link = body.get(name)
    label = label or name
    value = link.get("UID") if isinstance(link, dict) else None
    if not isinstance(value, str) or not value:
        errors.append(error("Required", f"{label}.UID is required", f"{label}.UID"))
        return None
    return value.lower()


def customer_build(business: Business, body: dict[str, Any], now: float) -> tuple[dict[str, Any] | None, Errors]:
    errors: Errors = []
    individual = body.get("IsIndividual", False)
    if not isinstance(individual, bool):
        errors.append(error("SerializationError", "IsIndividual must be true or false", "IsIndividual"))
    company = _text(body, "CompanyName", 50, errors, required=not individual)
    last = _text(body, "LastName", 30, errors, required=bool(individual))
    first = _text(body, "FirstName", 20, errors)
    display_id = _text(body, "DisplayID", 15, errors)
    addresses = body.get("Addresses") or []
    if not isinstance(addresses, list) or len(addresses) > 5:
        errors.append(error("ValueTooLong", "At most 5 addresses are allowed", "Addresses"))
        addresses = []
    for i, address in enumerate(addresses):
        if isinstance(address, dict):
            for field, limit in (("Street", 255), ("City", 255), ("State", 255), ("PostCode", 10), ("Phone1", 21)):
                _text(address, field, limit, errors, label=f"Addresses[{i}].{field}")
    raw_selling = body.get("SellingDetails")
    selling: dict[str, Any] = raw_selling if isinstance(raw_selling, dict) else {}
    links = {}
    for name in ("TaxCode", "FreightTaxCode"):
        code_uid = _link_uid(selling, name, errors, label=f"SellingDetails.{name}")
        if code_uid and business.tax_code(code_uid) is None:
            errors.append(
                error("NotFound", f"SellingDetails.{name} {code_uid} was not found", f"SellingDetails.{name}")
            )
        links[name] = code_uid
    if errors:
        return None, errors
    business.customer_seq += 1
    record = {
        "UID": uid(),
        "CompanyName": company if not individual else None,
        "LastName": last,
        "FirstName": first,
        "IsIndividual": individual,
        "DisplayID": display_id or "*None",
        "IsActive": body.get("IsActive", True),
        "Addresses": addresses,
        "Notes": body.get("Notes"),
        "CurrentBalance": 0.0,
        "SellingDetails": {
            **selling,
            "TaxCode": {"UID": links["TaxCode"]},
            "FreightTaxCode": {"UID": links["FreightTaxCode"]},
        },
        "LastModified": dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "RowVersion": str(business.customer_seq * 1000 + 1),
    }
    return record, errors


def _money(value: Any, label: str, errors: Errors) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors.append(error("Required" if value is None else "SerializationError", f"{label} must be a number", label))
        return None
    try:
        return Decimal(str(value)).quantize(_CENT, ROUND_HALF_UP)
    except InvalidOperation:
        errors.append(error("SerializationError", f"{label} must be a number", label))
        return None


def _number(business: Business, body: dict[str, Any], errors: Errors) -> str | None:
    number = _text(body, "Number", 13, errors)
    if number is None and "Number" not in body:
        business.invoice_seq += 1
        number = str(business.invoice_seq)  # MYOB numbers the invoice itself when none is sent
    if number and business.zero_pads_numbers and number.isdigit():
        number = number.rjust(8, "0")  # older AccountRight files keep numeric numbers zero-padded
    return number


def service_invoice_build(
    business: Business, body: dict[str, Any], config: SandboxConfig, now: float
) -> tuple[dict[str, Any] | None, Errors]:
    errors: Errors = []
    number = _number(business, body, errors)
    date_text = body.get("Date")
    if not isinstance(date_text, str) or not _DATE.match(date_text):
        errors.append(error("Required", "Date is required as YYYY-MM-DDTHH:MM:SS", "Date"))
    customer_uid = _link_uid(body, "Customer", errors)
    customer = business.customers.get(customer_uid or "")
    if customer_uid and customer is None:
        errors.append(error("NotFound", f"Customer {customer_uid} was not found", "Customer.UID"))
    po_number = _text(body, "CustomerPurchaseOrderNumber", config.po_number_max, errors)
    memo = _text(body, "JournalMemo", config.memo_max, errors)
    comment = _text(body, "Comment", config.memo_max, errors)
    inclusive = body.get("IsTaxInclusive", True)  # MYOB's default, per its .NET SDK
    if not isinstance(inclusive, bool):
        errors.append(error("SerializationError", "IsTaxInclusive must be true or false", "IsTaxInclusive"))
        inclusive = True
    raw_lines = body.get("Lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.append(error("Required", "An invoice needs at least one line", "Lines"))
        raw_lines = []
    lines, subtotal, tax_total = [], Decimal(0), Decimal(0)
    for i, raw in enumerate(raw_lines):
        label = f"Lines[{i}]"
        if not isinstance(raw, dict):
            errors.append(error("SerializationError", f"{label} must be an object", label))
            continue
        kind = raw.get("Type", "Transaction")
        if kind not in ("Transaction", "Header", "Subtotal"):
            errors.append(error("SerializationError", f"{label}.Type must be Transaction, Header or Subtotal", label))
            continue
        description = _text(raw, "Description", config.memo_max, errors, label=f"{label}.Description")
        line: dict[str, Any] = {"RowID": i + 1, "Type": kind, "Description": description or "", "Job": None}
        if kind == "Transaction":
            total = _money(raw.get("Total"), f"{label}.Total", errors)
            account_uid = _link_uid(raw, "Account", errors, label=f"{label}.Account")
            tax_uid = _link_uid(raw, "TaxCode", errors, label=f"{label}.TaxCode")
            account = business.account(account_uid or "")
            tax_code = business.tax_code(tax_uid or "")
            if account_uid and account is None:
                errors.append(error("NotFound", f"Account {account_uid} was not found", f"{label}.Account.UID"))
            elif account is not None and account["IsHeader"]:
                errors.append(
                    error(
                        "InvalidAccount", f"Account {account['DisplayID']} is a header account", f"{label}.Account.UID"
                    )
                )
            if tax_uid and tax_code is None:
                errors.append(error("NotFound", f"TaxCode {tax_uid} was not found", f"{label}.TaxCode.UID"))
            if total is not None and tax_code is not None:
                rate = Decimal(str(tax_code["Rate"])) / 100
                tax = (total * rate / (1 + rate) if inclusive else total * rate).quantize(_CENT, ROUND_HALF_UP)
                subtotal += total
                tax_total += tax
                line.update({"Total": float(total), "Account": {"UID": account_uid}, "TaxCode": {"UID": tax_uid}})
            for extra in ("UnitCount", "UnitPrice", "DiscountPercent"):
                if extra in raw:
                    line[extra] = raw[extra]
        lines.append(line)
    if number and config.reject_duplicate_numbers and any(i["Number"] == number for i in business.invoices.values()):
        errors.append(error("DuplicateNumber", f"Invoice number {number} is already used", "Number"))
    if errors:
        return None, errors
    total_amount = subtotal if inclusive else subtotal + tax_total
    record = {
        "UID": uid(),
        "Number": number,
        "Date": str(date_text)[:10] + "T00:00:00",
        "CustomerPurchaseOrderNumber": po_number,
        "Customer": {"UID": customer_uid},
        "ShipToAddress": body.get("ShipToAddress"),
        "Terms": body.get("Terms"),
        "IsTaxInclusive": inclusive,
        "Lines": lines,
        "Subtotal": float(subtotal),
        "Freight": 0.0,
        "TotalTax": float(tax_total),
        "TotalAmount": float(total_amount),
        "BalanceDueAmount": float(total_amount),
        "Status": "Open",
        "Comment": comment,
        "JournalMemo": memo,
        "InvoiceType": "Service",
        "LastPaymentDate": None,
        "LastModified": dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "RowVersion": str(len(business.invoices) * 1000 + 7),
    }
    return record, errors


def _link(base: str, kind: str, record: dict[str, Any] | None, **fields: str) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "UID": record["UID"],
        **{k: record.get(v) for k, v in fields.items()},
        "URI": f"{base}/{kind}/{record['UID']}",
    }


def customer_view(business: Business, base: str, record: dict[str, Any]) -> dict[str, Any]:
    selling = dict(record["SellingDetails"])
    for name in ("TaxCode", "FreightTaxCode"):
        selling[name] = _link(base, "GeneralLedger/TaxCode", business.tax_code(selling[name]["UID"]), Code="Code")
    return {**record, "SellingDetails": selling, "URI": f"{base}/Contact/Customer/{record['UID']}"}


def invoice_view(business: Business, base: str, record: dict[str, Any]) -> dict[str, Any]:
    customer = business.customers.get(record["Customer"]["UID"])
    name = (customer.get("CompanyName") or customer.get("LastName")) if customer else None
    lines = []
    for line in record["Lines"]:
        shown = dict(line)
        if "Account" in line:
            shown["Account"] = _link(
                base,
                "GeneralLedger/Account",
                business.account(line["Account"]["UID"]),
                Name="Name",
                DisplayID="DisplayID",
            )
            shown["TaxCode"] = _link(
                base, "GeneralLedger/TaxCode", business.tax_code(line["TaxCode"]["UID"]), Code="Code"
            )
        lines.append(shown)
    return {
        **record,
        "Customer": {
            "UID": record["Customer"]["UID"],
            "Name": name,
            "DisplayID": customer.get("DisplayID") if customer else None,
            "URI": f"{base}/Contact/Customer/{record['Customer']['UID']}",
        },
        "Lines": lines,
        "URI": f"{base}/Sale/Invoice/Service/{record['UID']}",
    }


def gl_view(base: str, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "URI": f"{base}/GeneralLedger/{kind}/{record['UID']}"}
