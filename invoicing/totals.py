"""Invoice money arithmetic: pure Decimal functions, no database.

Rounding happens per line, half-up to the cent, the way Xero and most ledgers round, so the
totals we show are the totals Xero computes from the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
EXCLUSIVE = "exclusive"
INCLUSIVE = "inclusive"


def money(value: Decimal) -> Decimal:
    """Round to the cent, half-up (Decimal's default context would round half-even)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineMoney:
    amount: Decimal  # quantity * unit price, as entered (tax-exclusive or -inclusive)
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal  # always tax-exclusive
    tax_total: Decimal
    total: Decimal


def line_money(*, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal, amounts_are: str) -> LineMoney:
    """Amount and tax of one line.

    Exclusive: tax = amount * rate / 100. Inclusive: the amount already contains the tax, so
    tax = amount * rate / (100 + rate).
    """
    amount = money(quantity * unit_price)
    if amounts_are == INCLUSIVE:
        tax = money(amount * tax_rate / (HUNDRED + tax_rate))
    else:
        tax = money(amount * tax_rate / HUNDRED)
    return LineMoney(amount=amount, tax=tax)


def invoice_totals(*, lines: Iterable[LineMoney], amounts_are: str) -> Totals:
    """Sum rounded lines. Inclusive invoices total the amounts as entered; subtotal is what is left."""
    amounts = Decimal("0.00")
    taxes = Decimal("0.00")
    for line in lines:
        amounts += line.amount
        taxes += line.tax
    if amounts_are == INCLUSIVE:
        return Totals(subtotal=amounts - taxes, tax_total=taxes, total=amounts)
    return Totals(subtotal=amounts, tax_total=taxes, total=amounts + taxes)
