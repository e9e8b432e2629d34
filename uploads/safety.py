"""Cells we write into files a spreadsheet will open: never let text become a formula.

OWASP's advice for CSV injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, which spreadsheets show as text. In XLSX the cell's
type is set to string explicitly (openpyxl would otherwise store "=…" as a formula).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_text(cell: Any, value: str) -> Any:
    """Set a worksheet cell to literal text, whatever it starts with."""
    cell.value = value
    cell.data_type = "s"
    return cell
