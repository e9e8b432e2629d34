"""Stream the rows of an uploaded CSV or XLSX file, one at a time, mapped to the template's columns.

Nothing here holds the whole file: CSV is decoded through an incremental reader, XLSX through
openpyxl's read-only mode (which parses the sheet's XML as it goes). The header row is found and
matched to :mod:`uploads.columns`; every problem with the file as a whole is an
:class:`~uploads.files.UploadFileError` with a message for the user.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.conf import settings
from openpyxl.utils import get_column_letter

from uploads.columns import header_index, header_normalise, layout_for
from uploads.files import UploadFileError

HEADER_SEARCH_ROWS = 5  # a title row (often merged across the columns) may sit above the header
CHUNK = 64 * 1024
CSV_FIELD_LIMIT = 64 * 1024


class _CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def csv_encoding_detect(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or Windows-1252, never a guess.

    Strict UTF-8 is tried over the whole file first: text in Windows-1252 with any accented letter
    is almost never valid UTF-8, while UTF-8 read as Windows-1252 would silently turn "é" into "Ã©".
    Only if UTF-8 fails is Windows-1252 tried, also strictly (five byte values are undefined in it).
    """
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        stream.seek(0)
        try:
            while chunk := stream.read(CHUNK):
                if b"\x00" in chunk and encoding != "utf-16":
                    raise UploadFileError("This is not a text (CSV) file. Upload a CSV or an .xlsx workbook.")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            stream.seek(0)
        return encoding
    raise UploadFileError(
        "The file's text encoding is neither UTF-8 nor Windows-1252. In Excel, save it as 'CSV UTF-8' and upload again."
    )


@dataclass
class SheetRows:
    """The data rows of a file: ``(row number, {column key: raw value})``, empty rows left out."""

    encoding: str
    rows: Iterator[tuple[int, dict[str, Any]]]
    progress: Any = field(default=lambda: 0.0)  # () -> fraction of the file read, 0..1


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(kind: str, cells: tuple[Any, ...]) -> dict[int, str] | None:
    """Column position → column key, or None when this row is not the header row (e.g. a title)."""
    index = header_index(kind)
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for pos, cell in enumerate(cells):
        if _is_blank(cell):
            continue
        key = index.get(header_normalise(str(cell)))
        if key is None:
            unknown.append(f"'{str(cell).strip()[:60]}' (column {get_column_letter(pos + 1)})")
            continue
        if key in mapping.values():
            raise UploadFileError(f"The column '{str(cell).strip()}' appears twice in the header row.")
        mapping[pos] = key
    if not mapping:
        return None
    if unknown:
        raise UploadFileError(
            f"Unknown column {', '.join(unknown[:5])}. Use the template's column names "
            "(download the template to see them); remove columns the template does not have."
        )
    missing = [c.header for c in layout_for(kind).columns if c.required and c.key not in mapping.values()]
    if missing:
        raise UploadFileError(f"The header row has no '{missing[0]}' column. Use the template's header row.")
    return mapping


def _rows_mapped(kind: str, lines: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    mapping: dict[int, str] | None = None
    seen = 0
    limit = settings.UPLOAD_MAX_ROWS
    for line, cells in lines:
        if all(_is_blank(c) for c in cells):
            continue
        if mapping is None:
            seen += 1
            mapping = _header_map(kind, cells)
            if mapping is None and seen >= HEADER_SEARCH_ROWS:
                break
            continue
        row: dict[str, Any] = {}
        for pos, cell in enumerate(cells):
            key = mapping.get(pos)
            if key is not None:
                row[key] = cell
            elif not _is_blank(cell):
                raise UploadFileError(
                    f"Row {line} has a value in column {get_column_letter(pos + 1)}, which has no header "
                    "(merged header cells hide the names of the columns they cover). Give every column its "
                    "template header."
                )
        limit -= 1
        if limit < 0:
            raise UploadFileError(
                f"The file has more than {settings.UPLOAD_MAX_ROWS:,} rows. Split it into smaller files."
            )
        yield line, row
    if mapping is None:
        raise UploadFileError(
            "No header row found: the first row must hold the template's column names (Customer, Customer ref, …)."
        )


def _csv_lines(text: IO[str]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    # The separator is the one the header row uses most: Excel writes ";" where "," is the decimal
    # comma, and "Unicode text" is tab-separated. A title line above the header is allowed for.
    head = [text.readline() for _ in range(HEADER_SEARCH_ROWS)]
    delimiter = max((",", ";", "\t"), key=lambda d: max(line.count(d) for line in head))
    reader = csv.reader(itertools.chain(head, text), delimiter=delimiter)
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):
            yield line, tuple(cells)
    except csv.Error as exc:
        raise UploadFileError(f"Row {line + 1} cannot be read as CSV: {exc}.") from exc


@contextlib.contextmanager
def rows_open(*, stream: IO[bytes], file_format: str, kind: str, size: int) -> Iterator[SheetRows]:
    """Open the file for reading rows; the caller iterates ``SheetRows.rows`` inside the block."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    if file_format == "csv":
        encoding = csv_encoding_detect(stream)
        counter = _CountingReader(stream)
        text = io.TextIOWrapper(io.BufferedReader(counter, CHUNK), encoding=encoding, newline="")
        try:
            yield SheetRows(
                encoding=encoding,
                rows=_rows_mapped(kind, _csv_lines(text)),
                progress=lambda: min(counter.count / max(size, 1), 1.0),
            )
        finally:
            text.detach()
        return
    with warnings.catch_warnings():
        # openpyxl warns about features it ignores (data validation, conditional formats): harmless here.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        except UploadFileError:
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise UploadFileError("The workbook cannot be read (it may be damaged). Save it again from Excel.") from exc
    try:
        layout = layout_for(kind)
        names = workbook.sheetnames
        name = layout.sheet_title if layout.sheet_title in names else names[0]
        sheet = workbook[name]
        total = sheet.max_row or 0
        state = {"line": 0}

        def lines() -> Iterator[tuple[int, tuple[Any, ...]]]:
            try:
                for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    state["line"] = line
                    yield line, cells
            except UploadFileError:
                raise
            except Exception as exc:
                raise UploadFileError(f"The workbook cannot be read after row {state['line']}: {exc}") from exc

        yield SheetRows(
            encoding="",
            rows=_rows_mapped(kind, lines()),
            progress=lambda: min(state["line"] / total, 1.0) if total else 0.0,
        )
    finally:
        workbook.close()
