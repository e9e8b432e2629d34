"""Check one chunk of rows: every cell parsed and validated, every problem named by its column.

The rules are the ones the job forms and services apply: each model field's own validators (the
shared input rules of ``freighttracker.validators``: control characters, bounds, the date window)
plus lengths, choices, decimal places, quantity x price, the charges' total and date order; and
what only a file needs: a customer named by code or
exact name, dates written in several ways, money with a currency sign, and charges spread over
columns. Duplicate and existing references are checked afterwards over all rows at once, in SQL
(see ``uploads.services``), so no state here grows with the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Upper

from customers.models import Customer
from freighttracker.validators import line_amount_check
from jobs.services import charges_total_check
from tenancy.models import TaxCode, Tenant
from uploads.columns import CHARGE_PARTS, CHARGE_SLOTS, Column, layout_for
from uploads.models import UploadRow

NO_TAX = {"NONE", "NO TAX", "NOTAX", "-"}
CURRENCY = re.compile(r"^(?:[A-Z]{3}\s*|A?\$\s*)|\s*[A-Z]{3}$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
CUSTOMER_CACHE_MAX = 5000
MAX_NUMBER = Decimal(10) ** 15


class CellError(Exception):
    pass


def cell_text(value: Any) -> str:
    """What a cell shows, as text: the preview and the error report use this."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _validators(column: Column, value: Any) -> None:
    try:
        column.field.run_validators(value)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from exc


def parse_text(value: Any, column: Column) -> str:
    text = cell_text(value).strip()
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"is {len(text)} characters long; at most {column.max_length} fit.")
    _validators(column, text)
    return text


def parse_date(value: Any, column: Column) -> dt.date | None:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = cell_text(value).strip()
        if not text:
            return None
        try:
            if m := DATE_DMY.match(text):
                day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            else:
                day = dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text)
        except ValueError as exc:
            raise CellError(f"'{text[:40]}' is not a date; write 2026-03-02 or 2/3/2026 (day first).") from exc
    _validators(column, day)  # the date window
    return day


def parse_decimal(value: Any, column: Column, *, money: bool = False) -> Decimal | None:
    """A number as typed or as Excel stored it; money may carry a currency sign and thousands commas."""
    if isinstance(value, bool):
        raise CellError("is not a number.")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = cell_text(value).strip().replace(" ", "")
        if not text:
            return None
        if money:
            text = CURRENCY.sub("", text.upper())
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(f"'{cell_text(value)[:40]}' is not a number.") from exc
    if not number.is_finite():
        raise CellError("is not a number.")
    if abs(number) >= MAX_NUMBER:
        raise CellError("is too large.")
    places = getattr(column.field, "decimal_places", 0) or 0
    rounded = number.quantize(Decimal(1).scaleb(-places))
    if number != rounded:
        raise CellError(f"has more than {places} decimal places." if places else "must be a whole number.")
    _validators(column, rounded if places else int(rounded))
    return rounded


def parse_choice(value: Any, choices: Iterable[tuple[str, str]], allowed: list[str]) -> str | None:
    text = cell_text(value).strip().lower()
    if not text:
        return None
    for key, label in choices:
        if text in (key.lower(), str(label).lower(), key.lower().replace("_", " ")):
            if key in allowed:
                return key
            break
    raise CellError(f"'{cell_text(value)[:40]}' is not one of: {', '.join(allowed)}.")


class RowChecker:
    """Checks rows of one upload chunk by chunk; holds only small look-up tables."""

    def __init__(self, *, tenant: Tenant, kind: str) -> None:
        self.tenant = tenant
        self.layout = layout_for(kind)
        self.tax_codes = {tc.code.upper(): tc.pk for tc in TaxCode.objects.filter(tenant=tenant)}
        self.default_tax = tenant.default_tax_code_id
        self.customers: dict[str, tuple[int, str] | str] = {}

    def chunk_check(self, *, upload_id: int, rows: list[tuple[int, dict[str, Any]]]) -> list[UploadRow]:
        self._customers_load({cell_text(r.get("customer")).strip() for _line, r in rows})
        return [self._row_check(upload_id, line, row) for line, row in rows]

    def _customers_load(self, wanted: set[str]) -> None:
        wanted = {w for w in wanted if w and w not in self.customers}
        if not wanted:
            return
        if len(self.customers) > CUSTOMER_CACHE_MAX:
            self.customers.clear()
        found = list(
            Customer.objects.filter(tenant=self.tenant)
            .annotate(ucode=Upper("code"))
            .filter(Q(ucode__in=[w.upper() for w in wanted]) | Q(name__in=wanted))
            .values_list("pk", "code", "name")
        )
        for text in wanted:
            by_code = [c for c in found if c[1] == text] or [c for c in found if c[1].upper() == text.upper()]
            by_name = [c for c in found if c[2] == text]
            if len(by_code) == 1:
                self.customers[text] = (by_code[0][0], by_code[0][2])
            elif len(by_name) == 1:
                self.customers[text] = (by_name[0][0], by_name[0][2])
            elif by_name:
                self.customers[text] = f"{len(by_name)} customers are named '{text[:60]}'; use the customer code."
            else:
                self.customers[text] = f"no customer has the code or exact name '{text[:60]}'."

    def _row_check(self, upload_id: int, line: int, row: dict[str, Any]) -> UploadRow:
        layout = self.layout
        errors: list[list[str]] = []
        clean: dict[str, Any] = {}
        texts = {key: cell_text(v) for key, v in row.items()}
        values = {key: text for key, text in texts.items() if text.strip()}
        row = {key: row[key] for key in values}  # blank cells drop out: they take the column's default
        customer_id = None
        for column in layout.columns:
            if column.key.startswith("charge"):
                continue
            raw = row.get(column.key)
            try:
                clean[column.key] = self._cell(column, raw)
            except CellError as exc:
                errors.append([column.key, str(exc)])
                continue
            if column.required and clean[column.key] in (None, ""):
                errors.append([column.key, "is required."])
        customer = clean.pop("customer", None)
        if isinstance(customer, tuple):
            customer_id = customer[0]
        earlier, later = layout.date_pair
        if clean.get(earlier) and clean.get(later) and clean[later] < clean[earlier]:
            errors.append([later, f"is before the {layout.header_of(earlier).lower()}."])
        clean["charges"] = self._charges(row, errors)
        reference = clean.get("customer_reference") or ""
        return UploadRow(
            upload_id=upload_id,
            line=line,
            values=values,
            parsed=None if errors else _jsonable(clean),
            errors=errors,
            customer_id=customer_id,
            reference=reference,
        )

    def _cell(self, column: Column, raw: Any) -> Any:
        kind = column.type
        if raw is None:
            return "" if kind == "text" else self.default_tax if kind == "tax_code" else None
        if kind == "customer":
            text = cell_text(raw).strip()
            if not text:
                return None
            found = self.customers.get(text)
            if isinstance(found, str) or found is None:
                raise CellError(found or "not found.")
            return found
        if kind == "text":
            return parse_text(raw, column)
        if kind == "date":
            return parse_date(raw, column)
        if kind in ("int", "decimal", "money"):
            number = parse_decimal(raw, column, money=kind == "money")
            return int(number) if kind == "int" and number is not None else number
        if kind == "status":
            return parse_choice(raw, column.field.choices or [], self.layout.statuses)  # type: ignore[arg-type]
        if kind == "choice":
            choices = column.field.choices or []
            return parse_choice(raw, choices, [str(c[0]) for c in choices])  # type: ignore[arg-type, index]
        if kind == "tax_code":
            text = cell_text(raw).strip().upper()
            if not text:
                return self.default_tax
            if text in NO_TAX:
                return None
            if text not in self.tax_codes:
                raise CellError(f"'{cell_text(raw)[:20]}' is not one of your tax codes ({', '.join(self.tax_codes)}).")
            return self.tax_codes[text]
        raise AssertionError(kind)

    def _charges(self, row: dict[str, Any], errors: list[list[str]]) -> list[dict[str, Any]]:
        charges = []
        for slot in range(1, CHARGE_SLOTS + 1):
            keys = {part: f"charge{slot}_{part}" for part, *_ in CHARGE_PARTS}
            if not any(k in row for k in keys.values()):
                continue
            charge: dict[str, Any] = {}
            ok = True
            for part, key in keys.items():
                try:
                    charge[part] = self._cell(self.layout.column(key), row.get(key))
                except CellError as exc:
                    errors.append([key, str(exc)])
                    ok = False
            if not ok:
                continue
            if not charge["description"]:
                errors.append([keys["description"], "is required when the charge has other values."])
                continue
            if charge["unit_price"] is None:
                errors.append([keys["unit_price"], "is required when the charge has a description."])
                continue
            charge["quantity"] = charge["quantity"] if charge["quantity"] is not None else Decimal(1)
            if charge["quantity"] <= 0:
                errors.append([keys["quantity"], "must be above 0."])
                continue
            try:
                line_amount_check(quantity=charge["quantity"], unit_price=charge["unit_price"])
            except ValidationError as exc:
                errors.append([keys["unit_price"], " ".join(exc.messages)])
                continue
            charges.append(charge)
        if charges:
            try:
                charges_total_check(c["quantity"] * c["unit_price"] for c in charges)
            except ValidationError as exc:
                errors.append(["charges", " ".join(exc.messages)])
        return charges


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | dt.date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value
