"""ISO 4217 currency codes, from pycountry (the Debian iso-codes data), for every currency field.

Funds, precious metals, bond units and the testing / "no currency" codes are ISO 4217 entries but
not money an invoice is written in, so they are not offered.
"""

from __future__ import annotations

from functools import cache

import pycountry

#: ISO 4217 codes that are not a currency to invoice in (funds, metals, bond units, test, none).
NOT_INVOICE_CURRENCIES = frozenset(
    {"BOV", "CHE", "CHW", "COU", "USN", "UYI", "UYW", "XAD", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR",
     "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)  # fmt: skip


@cache
def currency_choices() -> tuple[tuple[str, str], ...]:
    """(code, "AUD — Australian Dollar") for every ISO 4217 currency, by code."""
    return tuple(
        sorted(
            (c.alpha_3, f"{c.alpha_3} — {c.name}")
            for c in pycountry.currencies
            if c.alpha_3 not in NOT_INVOICE_CURRENCIES
        )
    )


def currency_is_iso(code: str) -> bool:
    return any(value == code for value, _ in currency_choices())
