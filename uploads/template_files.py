"""The downloadable templates: an XLSX workbook with instructions and drop-downs, and a CSV.

The workbook has three sheets: the data sheet (header row only, so nothing is imported by
accident), "Instructions" (every column explained, then an example row), and a hidden "Lists"
sheet holding the drop-down values (customer codes, statuses, kinds, tax codes), referenced by
range so that any number of customers fits (inline lists are limited to 255 characters).
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from customers.models import Customer
from tenancy.models import TaxCode, Tenant
from uploads.checks import NO_TAX
from uploads.columns import Column, Layout, layout_for
from uploads.safety import xlsx_text

HEADER_FILL = PatternFill("solid", fgColor="0F2540")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_LIST = 10000  # customers offered in the drop-down; others can still be typed


def template_filename(*, kind: str, fmt: str) -> str:
    return f"{layout_for(kind).sheet_title.lower().replace(' ', '-')}-template.{fmt}"


def template_csv(*, kind: str) -> bytes:
    """The header row, UTF-8 with a BOM so that Excel opens accented names correctly."""
    out = io.StringIO()
    csv.writer(out).writerow([c.header for c in layout_for(kind).columns])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def template_xlsx(*, tenant: Tenant, kind: str) -> bytes:
    layout = layout_for(kind)
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = layout.sheet_title
    for pos, column in enumerate(layout.columns, start=1):
        cell = xlsx_text(data.cell(row=1, column=pos), column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        data.column_dimensions[get_column_letter(pos)].width = max(12, len(column.header) + 4)
    data.freeze_panes = "B2"
    lists = workbook.create_sheet("Lists")
    lists.sheet_state = "hidden"
    codes = list(Customer.objects.filter(tenant=tenant).order_by("code").values_list("code", flat=True)[:MAX_LIST])
    taxes = [*TaxCode.objects.filter(tenant=tenant).order_by("code").values_list("code", flat=True), "NONE"]
    # One list per drop-down: (title, values, the columns that use it).
    drop_downs: list[tuple[str, list[str], list[Column]]] = [
        ("customer", codes, [c for c in layout.columns if c.type == "customer"]),
        ("status", layout.statuses, [c for c in layout.columns if c.type == "status"]),
        *((c.key, [str(v) for v, _label in c.field.choices or []], [c]) for c in layout.columns if c.type == "choice"),  # type: ignore[misc]
        ("tax_code", taxes, [c for c in layout.columns if c.type == "tax_code"]),
    ]
    positions = {c.key: p for p, c in enumerate(layout.columns, start=1)}
    last_row = settings.UPLOAD_MAX_ROWS + 1
    for list_pos, (title, values, users) in enumerate(drop_downs, start=1):
        letter = get_column_letter(list_pos)
        xlsx_text(lists.cell(row=1, column=list_pos), title)
        for row, value in enumerate(values, start=2):
            xlsx_text(lists.cell(row=row, column=list_pos), value)
        if not values or not users:
            continue
        targets = [get_column_letter(positions[c.key]) for c in users]
        type_ = users[0].type
        validation = DataValidation(
            type="list",
            formula1=f"Lists!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            # A customer may also be typed by its exact name, so only the other lists are strict.
            showErrorMessage=type_ != "customer",
            errorTitle="Not in the list",
            error="Choose a value from the drop-down list.",
        )
        for target in targets:
            validation.add(f"{target}2:{target}{last_row}")
        data.add_data_validation(validation)
    _instructions(workbook.create_sheet("Instructions", 1), layout, codes[:1], taxes)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _instructions(sheet: object, layout: Layout, codes: list[str], taxes: list[str]) -> None:
    ws = sheet  # an openpyxl Worksheet
    lines = [
        f"How to fill in the {layout.sheet_title.lower()} template",
        f"One row on the '{layout.sheet_title}' sheet is one job. Keep the header row as it is; "
        "columns may be left out or reordered, but not renamed.",
        "Charges go on the job's own row: up to three (Charge 1 … Charge 3). Add more on the job's page after the "
        "upload.",
        "Every row is checked before anything is created: you see a preview with the problems of each cell, and the "
        "jobs are created all together, or not at all.",
        "Rows whose Customer ref already exists for that customer are flagged; you can choose to skip them.",
        "Formulas are read as the value Excel last calculated. Text is never run as a formula.",
        f"At most {settings.UPLOAD_MAX_ROWS:,} rows and {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB per file; "
        "CSV files may be UTF-8 or Windows-1252 (Excel's 'CSV').",
        f"Tax codes: {', '.join(taxes[:-1]) or 'none yet'}; write NONE for no tax ({', '.join(sorted(NO_TAX))}).",
    ]
    for row, text in enumerate(lines, start=1):
        cell = xlsx_text(ws.cell(row=row, column=1), text)  # type: ignore[attr-defined]
        if row == 1:
            cell.font = Font(bold=True, size=14)
    start = len(lines) + 2
    for pos, title in enumerate(("Column", "Required", "What to write", "Example"), start=1):
        xlsx_text(ws.cell(row=start, column=pos), title).font = Font(bold=True)  # type: ignore[attr-defined]
    for offset, column in enumerate(layout.columns, start=1):
        example = codes[0] if column.type == "customer" and codes else column.example
        values = (column.header, "yes" if column.required else "", column.help, example)
        for pos, value in enumerate(values, start=1):
            cell = xlsx_text(ws.cell(row=start + offset, column=pos), value)  # type: ignore[attr-defined]
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    example_row = start + len(layout.columns) + 2
    xlsx_text(ws.cell(row=example_row, column=1), "Example row (copy the layout, not this sheet):").font = Font(  # type: ignore[attr-defined]
        bold=True
    )
    for pos, column in enumerate(layout.columns, start=1):
        xlsx_text(ws.cell(row=example_row + 1, column=pos), column.header).font = Font(bold=True)  # type: ignore[attr-defined]
        example = codes[0] if column.type == "customer" and codes else column.example
        xlsx_text(ws.cell(row=example_row + 2, column=pos), example)  # type: ignore[attr-defined]
    for letter, width in (("A", 28), ("B", 10), ("C", 70), ("D", 26)):
        ws.column_dimensions[letter].width = width  # type: ignore[attr-defined]
