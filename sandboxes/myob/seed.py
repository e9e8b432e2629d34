"""The company files (businesses) the sandbox starts with, with stable ids so tests and demos can name them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

_NS = uuid.UUID("6f1c3a52-0d7e-4a8b-9a56-3c1e2f0b7d11")


def stable_uid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


DEMO_BUSINESS_ID = stable_uid("business", "demo")
LEGACY_BUSINESS_ID = stable_uid("business", "legacy")


@dataclass(frozen=True)
class BusinessSeed:
    business_id: str
    name: str
    zero_pads_numbers: bool  # an "older file": numeric invoice Numbers are stored as 00001234


BUSINESS_SEEDS = (
    BusinessSeed(DEMO_BUSINESS_ID, "Demo Freight Co (MYOB)", zero_pads_numbers=False),
    BusinessSeed(LEGACY_BUSINESS_ID, "Legacy Freight File (AccountRight 2013)", zero_pads_numbers=True),
)

# (DisplayID, Name, Classification, Type, IsHeader)
_ACCOUNTS = (
    ("4-0000", "Income", "Income", "Income", True),
    ("4-1000", "Freight Income", "Income", "Income", False),
    ("4-1100", "Warehousing Income", "Income", "Income", False),
    ("4-1200", "Fuel Surcharge Income", "Income", "Income", False),
    ("4-2000", "Other Income", "Income", "Income", False),
    ("1-1200", "Trade Debtors", "Asset", "AccountReceivable", False),
    ("2-1310", "GST Collected", "Liability", "OtherLiability", False),
)
# (Code, Description, Type, Rate)
_TAX_CODES = (
    ("GST", "Goods & Services Tax", "GST", 10.0),
    ("FRE", "GST Free", "GST", 0.0),
    ("N-T", "Not Reportable", "GST", 0.0),
    ("EXP", "Exports", "GST", 0.0),
)


def accounts(business_id: str) -> list[dict[str, Any]]:
    out = []
    for display_id, name, classification, kind, is_header in _ACCOUNTS:
        uid = stable_uid(business_id, "account", display_id)
        out.append(
            {
                "UID": uid,
                "Name": name,
                "DisplayID": display_id,
                "Classification": classification,
                "Type": kind,
                "Number": int(display_id.split("-")[1]),
                "Description": "",
                "IsActive": True,
                "Level": 1 if is_header else 2,
                "IsHeader": is_header,
                "CurrentBalance": 0,
                "RowVersion": "1",
            }
        )
    return out


def tax_codes(business_id: str) -> list[dict[str, Any]]:
    out = []
    for code, description, kind, rate in _TAX_CODES:
        uid = stable_uid(business_id, "taxcode", code)
        out.append(
            {
                "UID": uid,
                "Code": code,
                "Description": description,
                "Type": kind,
                "Rate": rate,
                "IsRateNegative": False,
                "RowVersion": "1",
            }
        )
    return out
