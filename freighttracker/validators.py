"""The input rules every way in shares: forms, services, bulk upload, and the Xero export payload.

One module so that a rule is written once. Each rule is a plain Django validator (a callable that
raises ``ValidationError`` with a message fit for a form) or a small pure function; SECURITY.md
("Input rules") lists them with the tests that prove them.

* **Text.** Control characters (Unicode category Cc: ``\\x00`` to ``\\x1f``, ``\\x7f`` to ``\\x9f``), lone
  surrogates and the Unicode line/paragraph separators are **refused** with a form error, not
  silently stripped: a person sees what they typed rejected and why, and nothing is changed behind
  their back. Multi-line fields (addresses, notes) may also hold tab, newline and carriage return.
  Right-to-left marks, zero-width joiners and emoji are ordinary text and are allowed. Data stored
  before these rules is cleaned by :func:`text_clean` as the export payload is built (last line of
  defence), so no control character ever reaches Xero.
* **Lengths** are Xero's (vendored OpenAPI document ``xero_accounting.yaml`` and Xero's docs):
  contact Name 255, ContactNumber 50, invoice Number 255, Reference 255, line Description 4,000,
  account Code 10.
* **Money.** Quantities 0.001 … 1,000,000; unit prices -10,000,000 … 10,000,000 (negative lines are
  discounts); a line (quantity x price) at most 100,000,000 either way; an invoice (or a job's
  charges) total 0 … 1,000,000,000. Far inside the numeric(12,2)/(14,2) columns and inside the range
  where Xero's double-precision amounts stay exact to the cent (about 9 x 10^13). A negative total
  is a credit note, not an invoice, and is refused.
* **Dates** lie within :data:`DATE_WINDOW_YEARS` years either side of today; a due date is not before
  its invoice date, a delivery not before its pickup, an end not before its start.
* **Measures** (weight, volume) are not negative.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

# --- Xero's field lengths ----------------------------------------------------------------------
# Xero docs: https://developer.xero.com/documentation/api/accounting/contacts (Name, ContactNumber)
# and /invoices (InvoiceNumber; Reference has no stated maximum, 255 is what Xero's UI allows;
# line Description up to 4,000); /accounts (Code, max length 10).
XERO_CONTACT_NAME_MAX = 255
XERO_CONTACT_NUMBER_MAX = 50
XERO_INVOICE_NUMBER_MAX = 255
XERO_REFERENCE_MAX = 255
XERO_DESCRIPTION_MAX = 4000
XERO_ACCOUNT_CODE_MAX = 10

# --- Money -------------------------------------------------------------------------------------
QUANTITY_MIN = Decimal("0.001")
QUANTITY_MAX = Decimal("1000000")
UNIT_PRICE_MAX = Decimal("10000000")
LINE_AMOUNT_MAX = Decimal("100000000")
TOTAL_MAX = Decimal("1000000000")

# --- Dates -------------------------------------------------------------------------------------
DATE_WINDOW_YEARS = 10
PAYMENT_TERMS_MAX_DAYS = 365

_MULTILINE_ALLOWED = frozenset("\t\n\r")
_SEPARATORS = frozenset("\u2028\u2029")


def _bad_character(value: str, *, multiline: bool) -> str | None:
    """The first character the rules refuse, or None."""
    for ch in value:
        if multiline and ch in _MULTILINE_ALLOWED:
            continue
        if ch in _SEPARATORS or unicodedata.category(ch) in ("Cc", "Cs"):
            return ch
    return None


def _character_error(ch: str) -> ValidationError:
    name = unicodedata.name(ch, "control character")
    return ValidationError(
        "Remove the invisible control character U+%(code)04X (%(name)s): only plain text is accepted here.",
        code="control_character",
        params={"code": ord(ch), "name": name.lower()},
    )


def validate_single_line(value: str) -> None:
    """Names, codes, references, descriptions, account codes: no control characters at all."""
    ch = _bad_character(str(value), multiline=False)
    if ch is not None:
        raise _character_error(ch)


def validate_multi_line(value: str) -> None:
    """Addresses and notes: tab, newline and carriage return are fine; other control characters are not."""
    ch = _bad_character(str(value), multiline=True)
    if ch is not None:
        raise _character_error(ch)


def text_clean(value: str | None, *, multiline: bool = False) -> str | None:
    """``value`` without the characters the rules refuse (the export's last line of defence).

    Tabs and line breaks in single-line text become spaces, so words are not glued together.
    """
    if value is None:
        return None
    out = []
    for ch in value:
        if multiline and ch in _MULTILINE_ALLOWED:
            out.append(ch)
        elif ch in _SEPARATORS or ch in _MULTILINE_ALLOWED:
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs"):
            out.append(ch)
    return "".join(out)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


# Field validators, for model fields and form fields alike.
quantity_validators = [
    MinValueValidator(QUANTITY_MIN, message=f"The quantity must be at least {QUANTITY_MIN}."),
    MaxValueValidator(QUANTITY_MAX, message=f"The quantity can be at most {QUANTITY_MAX:,}."),
]
unit_price_validators = [
    MinValueValidator(-UNIT_PRICE_MAX, message=f"The unit price can be at least {_money(-UNIT_PRICE_MAX)}."),
    MaxValueValidator(UNIT_PRICE_MAX, message=f"The unit price can be at most {_money(UNIT_PRICE_MAX)}."),
]
not_negative = MinValueValidator(Decimal("0"), message="This cannot be negative.")
payment_terms_validators = [
    MaxValueValidator(PAYMENT_TERMS_MAX_DAYS, message=f"Payment terms can be at most {PAYMENT_TERMS_MAX_DAYS} days.")
]


def line_amount_check(*, quantity: Decimal | None, unit_price: Decimal | None) -> None:
    """Quantity x unit price within :data:`LINE_AMOUNT_MAX` either way (a form error on the line)."""
    if not isinstance(quantity, Decimal) or not isinstance(unit_price, Decimal):
        return  # a field that failed its own validation has already reported it
    if not quantity.is_finite() or not unit_price.is_finite():
        return
    amount = quantity * unit_price
    if abs(amount) > LINE_AMOUNT_MAX:
        raise ValidationError(
            f"Quantity × unit price is {_money(amount)}; a line can be at most {_money(LINE_AMOUNT_MAX)}.",  # noqa: RUF001
            code="line_amount",
        )


def total_check(*, total: Decimal, what: str = "The invoice") -> None:
    """A total between 0 and :data:`TOTAL_MAX`: negative is a credit note, larger overflows."""
    if total < 0:
        raise ValidationError(
            f"{what} would total {_money(total)}. Discount lines are fine, but a negative total is a "
            "credit note, not an invoice; raise the credit note in Xero.",
            code="negative_total",
        )
    if total > TOTAL_MAX:
        raise ValidationError(
            f"{what} would total {_money(total)}; the most one invoice can hold is {_money(TOTAL_MAX)}. "
            "Split the charges over more jobs or invoices.",
            code="total_too_large",
        )


def date_window(*, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The earliest and latest dates accepted: :data:`DATE_WINDOW_YEARS` years either side of today."""
    today = today or timezone.localdate()
    years = DATE_WINDOW_YEARS
    try:
        return today.replace(year=today.year - years), today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28), today.replace(year=today.year + years, day=28)


def validate_date_window(value: dt.date | None) -> None:
    """A date no more than :data:`DATE_WINDOW_YEARS` years from today (0001-01-01 is a typo, not a date)."""
    if value is None:
        return
    earliest, latest = date_window()
    if not earliest <= value <= latest:
        raise ValidationError(
            "Use a date between %(earliest)s and %(latest)s.",
            code="date_window",
            params={"earliest": earliest.isoformat(), "latest": latest.isoformat()},
        )


def date_order_check(*, first: dt.date | None, then: dt.date | None, field: str, message: str) -> None:
    """``then`` not before ``first``; the error is put on ``field``."""
    if isinstance(first, dt.date) and isinstance(then, dt.date) and then < first:
        raise ValidationError({field: ValidationError(message, code="date_order")})
