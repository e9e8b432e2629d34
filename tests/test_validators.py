"""The shared input rules (freighttracker/validators.py), as properties over generated input."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from freighttracker import validators as v

CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f"


def _refused(ch: str, *, multiline: bool) -> bool:
    if multiline and ch in "\t\n\r":
        return False
    return ch in "\u2028\u2029" or unicodedata.category(ch) in ("Cc", "Cs")


@given(st.text(max_size=80))
@example("Acme\x01 Pty\x07 Ltd\x1b\x0b\x0c\x7f")
@example("PO\t123")
@example("\u202eRTL\u200f zero\u200bwidth 🚚")
def test_single_line_refuses_exactly_the_control_characters(text: str) -> None:
    bad = any(_refused(ch, multiline=False) for ch in text)
    if bad:
        with pytest.raises(ValidationError) as info:
            v.validate_single_line(text)
        assert info.value.code == "control_character"
        assert "control character U+" in info.value.messages[0]
    else:
        v.validate_single_line(text)


@given(st.text(max_size=80))
@example("1 Dock Rd\r\nSydney\tNSW")
@example("line\x0bbreak")
def test_multi_line_allows_tab_and_line_breaks_only(text: str) -> None:
    if any(_refused(ch, multiline=True) for ch in text):
        with pytest.raises(ValidationError):
            v.validate_multi_line(text)
    else:
        v.validate_multi_line(text)


@given(st.text(max_size=80), st.booleans())
def test_text_clean_leaves_nothing_the_rules_refuse(text: str, multiline: bool) -> None:
    cleaned = v.text_clean(text, multiline=multiline)
    assert cleaned is not None
    (v.validate_multi_line if multiline else v.validate_single_line)(cleaned)
    # Text that was already acceptable is left exactly as it was.
    if not any(_refused(ch, multiline=multiline) for ch in text) and (multiline or not set(text) & set("\t\n\r")):
        assert cleaned == text


money = st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), places=2, allow_nan=False)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e10"), places=3, allow_nan=False)


@given(quantities, money)
@example(Decimal("999999999.999"), Decimal("9999999999.99"))  # issue 9, item 7
def test_line_amount_is_bounded_either_way(quantity: Decimal, unit_price: Decimal) -> None:
    if abs(quantity * unit_price) > v.LINE_AMOUNT_MAX:
        with pytest.raises(ValidationError, match="a line can be at most"):
            v.line_amount_check(quantity=quantity, unit_price=unit_price)
    else:
        v.line_amount_check(quantity=quantity, unit_price=unit_price)


@given(money)
@example(Decimal("-110.00"))
@example(Decimal("0.00"))
def test_totals_are_between_zero_and_the_maximum(total: Decimal) -> None:
    if total < 0:
        with pytest.raises(ValidationError, match="credit note"):
            v.total_check(total=total)
    elif total > v.TOTAL_MAX:
        with pytest.raises(ValidationError, match="the most one invoice can hold"):
            v.total_check(total=total)
    else:
        v.total_check(total=total)


def test_the_bounds_fit_the_columns_and_xero() -> None:
    # numeric(12,3) quantity, numeric(12,2) unit price, numeric(14,2) amounts and totals.
    assert Decimal("1e9") > v.QUANTITY_MAX and Decimal("1e10") > v.UNIT_PRICE_MAX
    assert Decimal("1e12") > v.TOTAL_MAX
    # Tax at the largest rate a tax code can hold (numeric(6,3)) still fits a line's tax column.
    assert v.LINE_AMOUNT_MAX * Decimal("999.999") / 100 < Decimal("1e12")
    # Xero's amounts are doubles: exact to the cent below 2**53 cents.
    assert v.TOTAL_MAX * 100 < 2**53


@given(st.dates())
@example(dt.date(1, 1, 1))
@example(dt.date(9999, 12, 31))
def test_dates_lie_within_ten_years_of_today(value: dt.date) -> None:
    earliest, latest = v.date_window()
    assert earliest.year == latest.year - 20
    if earliest <= value <= latest:
        v.validate_date_window(value)
    else:
        with pytest.raises(ValidationError, match="Use a date between"):
            v.validate_date_window(value)


def test_date_window_on_29_february() -> None:
    assert v.date_window(today=dt.date(2028, 2, 29)) == (dt.date(2018, 2, 28), dt.date(2038, 2, 28))


@given(st.dates(), st.dates())
def test_date_order(first: dt.date, then: dt.date) -> None:
    if then < first:
        with pytest.raises(ValidationError) as info:
            v.date_order_check(first=first, then=then, field="due_date", message="Not before.")
        assert info.value.message_dict == {"due_date": ["Not before."]}
    else:
        v.date_order_check(first=first, then=then, field="due_date", message="Not before.")
