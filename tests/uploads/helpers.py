"""Build real upload files (CSV in several encodings, XLSX written by openpyxl or by hand) and run them."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tenancy.models import Tenant, User
from uploads.columns import layout_for
from uploads.commit import upload_commit
from uploads.models import Upload
from uploads.services import upload_check, upload_commit_request, upload_create

BOOKING_HEADER = [c.header for c in layout_for("booking").columns]


def booking_row(**values: Any) -> list[Any]:
    """A row in the template's column order; keys are column keys (customer, customer_reference, …)."""
    keys = [c.key for c in layout_for("booking").columns]
    unknown = set(values) - set(keys)
    assert not unknown, unknown
    return [values.get(k, "") for k in keys]


def good_row(n: int, customer: str = "ACME", **extra: Any) -> list[Any]:
    base = {
        "customer": customer,
        "customer_reference": f"PO-{n:05d}",
        "consignor_name": "Acme Pty Ltd",
        "consignee_name": "Bolt Retail",
        "pickup_date": "2026-12-01",
        "delivery_date": "2026-12-03",
        "pieces": "2",
        "weight_kg": "120.5",
        "charge1_description": "Linehaul",
        "charge1_quantity": "1",
        "charge1_unit_price": "450.00",
        "charge1_tax_code": "GST",
    }
    base.update(extra)
    return booking_row(**base)


def csv_bytes(
    rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8", header: Sequence[str] = BOOKING_HEADER
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Iterable[Sequence[Any]], *, header: Sequence[str] = BOOKING_HEADER, title: str = "Bookings"
) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_replace(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of a zip (xlsx) with one member's content replaced, the way Excel would have written it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == name else src.read(info.filename))
    return out.getvalue()


def upload_run(
    *, tenant: Tenant, user: User, data: bytes, name: str, kind: str = "booking", skip_existing: bool = False
) -> Upload:
    """Upload a file and check it, as the worker would (the task body, called in this process)."""
    upload = upload_create(
        tenant=tenant, user=user, kind=kind, file=SimpleUploadedFile(name, data), skip_existing=skip_existing
    )
    upload_check(upload_id=upload.pk)
    upload.refresh_from_db()
    return upload


def upload_commit_run(upload: Upload, user: User, *, confirm_duplicate: bool = False) -> Upload:
    upload_commit_request(upload=upload, user=user, confirm_duplicate=confirm_duplicate)
    upload_commit(upload_id=upload.pk)
    upload.refresh_from_db()
    return upload


def ole_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (what .xls and password-protected .xlsx files are) with these streams.

    Streams are padded to 4096 bytes so they live in ordinary sectors (no mini stream is needed).
    """
    import struct

    sector = 512
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    assert len(names) <= 3
    bodies = [streams[n].ljust(4096, b"\0") for n in names]
    fat = [fatsect, end]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for body in bodies:
        count = len(body) // sector
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(raw), kind, 1, 0xFFFFFFFF, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1 if names else 0xFFFFFFFF, 0xFFFFFFFF, end, 0)
    for i, name in enumerate(names, start=1):
        right = i + 1 if i < len(names) else 0xFFFFFFFF
        directory += entry(name, 2, 0xFFFFFFFF, right, starts[i - 1], len(streams[name]))
    directory = directory.ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(bodies)
