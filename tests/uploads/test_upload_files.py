"""Real files: CSV in three encodings, XLSX as people make them, and the files we refuse."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import olefile
import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from bookings.models import Booking
from customers.models import Customer
from tenancy.models import Tenant, User
from tests.uploads.helpers import (
    BOOKING_HEADER,
    csv_bytes,
    good_row,
    ole_bytes,
    upload_commit_run,
    upload_run,
    xlsx_bytes,
    zip_replace,
)
from uploads.files import UploadFileError
from uploads.models import UploadRow, UploadStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_each_encoding_reads_accents_exactly(
    encoding: str, tenant: Tenant, ops_user: User, bolt: Customer
) -> None:
    rows = [
        good_row(
            1,
            customer="Bolt Retail Café",
            consignee_name="Zo\u00eb\u2019s Cr\u00e8me \u2014 \u201cBr\u00fbl\u00e9e\u201d",
        )
    ]
    upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes(rows, encoding=encoding), name="a.csv")
    assert upload.status == UploadStatus.CHECKED, upload.message
    assert upload.encoding == encoding
    assert (upload.rows_good, upload.rows_refused) == (1, 0)
    upload_commit_run(upload, ops_user)
    booking = Booking.objects.get()
    assert (booking.customer, booking.consignee_name) == (
        bolt,
        "Zo\u00eb\u2019s Cr\u00e8me \u2014 \u201cBr\u00fbl\u00e9e\u201d",
    )


def test_csv_that_is_neither_utf8_nor_windows_1252_is_refused(tenant: Tenant, ops_user: User) -> None:
    data = csv_bytes([good_row(1)]) + b"\x81\x8d\x8f\x90\x9d\n"
    upload = upload_run(tenant=tenant, user=ops_user, data=data, name="a.csv")
    assert upload.status == UploadStatus.REFUSED
    assert "neither UTF-8 nor Windows-1252" in upload.message


def test_csv_with_semicolons_and_a_title_row(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    body = "Weekly bookings for ACME\n" + ";".join(BOOKING_HEADER) + "\n" + ";".join(map(str, good_row(1))) + "\n"
    upload = upload_run(tenant=tenant, user=ops_user, data=body.encode(), name="semi.csv")
    assert (upload.status, upload.rows_good) == (UploadStatus.CHECKED, 1), upload.message


def test_xlsx_with_formatting_dates_numbers_and_empty_rows(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Bookings"
    sheet.append(BOOKING_HEADER)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0F2540")
    row = good_row(1)
    row[BOOKING_HEADER.index("Pickup date")] = dt.datetime(2026, 12, 1)
    row[BOOKING_HEADER.index("Delivery date")] = dt.date(2026, 12, 3)
    row[BOOKING_HEADER.index("Pieces")] = 2
    row[BOOKING_HEADER.index("Charge 1 unit price")] = 450.1
    row[BOOKING_HEADER.index("Customer ref")] = 4711  # a number typed into the reference column
    sheet.append(row)
    sheet.append([])
    sheet.append([None, "  "])
    sheet.append(good_row(2))
    sheet.cell(row=2, column=BOOKING_HEADER.index("Charge 1 unit price") + 1).number_format = '"$"#,##0.00'
    sheet.cell(row=2, column=BOOKING_HEADER.index("Pickup date") + 1).number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    workbook.save(out)
    upload = upload_run(tenant=tenant, user=ops_user, data=out.getvalue(), name="styled.xlsx")
    assert upload.status == UploadStatus.CHECKED, upload.message
    assert (upload.rows_total, upload.rows_good) == (2, 2)
    assert list(UploadRow.objects.filter(upload=upload).values_list("line", flat=True)) == [2, 5]
    upload_commit_run(upload, ops_user)
    first = Booking.objects.get(customer_reference="4711")
    assert (first.pickup_date, first.delivery_date, first.pieces) == (dt.date(2026, 12, 1), dt.date(2026, 12, 3), 2)
    assert str(first.charges.get().unit_price) == "450.10"


def test_xlsx_with_a_merged_title_row_above_the_header(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Bookings"
    sheet.append(["ACME bookings, week 49"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    sheet.append(BOOKING_HEADER)
    sheet.append(good_row(1))
    out = io.BytesIO()
    workbook.save(out)
    upload = upload_run(tenant=tenant, user=ops_user, data=out.getvalue(), name="merged-title.xlsx")
    assert (upload.status, upload.rows_good) == (UploadStatus.CHECKED, 1), upload.message
    assert UploadRow.objects.get(upload=upload).line == 3


def test_xlsx_whose_merged_header_cells_hide_a_column_is_refused_clearly(tenant: Tenant, ops_user: User) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(BOOKING_HEADER)
    sheet.append(good_row(1, container_number="MSCU1234567"))
    sheet.merge_cells("C1:D1")  # "Direction" now covers "Container number", whose header is gone
    out = io.BytesIO()
    workbook.save(out)
    upload = upload_run(tenant=tenant, user=ops_user, data=out.getvalue(), name="merged.xlsx")
    assert upload.status == UploadStatus.REFUSED
    assert upload.message.startswith("Row 2 has a value in column D, which has no header (merged header cells")


def test_xlsx_formulas_are_read_as_excel_calculated_them_and_text_stays_text(
    tenant: Tenant, ops_user: User, acme: Customer
) -> None:
    pieces = openpyxl.utils.get_column_letter(BOOKING_HEADER.index("Pieces") + 1)
    notes = openpyxl.utils.get_column_letter(BOOKING_HEADER.index("Notes") + 1)
    data = xlsx_bytes([good_row(1, pieces="PIECES", notes="NOTES")])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # As Excel saves them: a formula with its cached value, and a string cell that merely starts with "=".
    sheet_xml = sheet_xml.replace(
        f'<c r="{pieces}2" t="inlineStr"><is><t>PIECES</t></is></c>', f'<c r="{pieces}2"><f>2*3</f><v>6</v></c>'
    ).replace(
        f'<c r="{notes}2" t="inlineStr"><is><t>NOTES</t></is></c>',
        f'<c r="{notes}2" t="inlineStr"><is><t>=HYPERLINK("http://evil.example","x")</t></is></c>',
    )
    assert "PIECES" not in sheet_xml and "NOTES" not in sheet_xml, "the test's XML edit did not apply"
    data = zip_replace(data, "xl/worksheets/sheet1.xml", sheet_xml.encode())
    upload = upload_run(tenant=tenant, user=ops_user, data=data, name="formulas.xlsx")
    assert (upload.status, upload.rows_good) == (UploadStatus.CHECKED, 1), upload.message
    upload_commit_run(upload, ops_user)
    booking = Booking.objects.get()
    assert booking.pieces == 6
    assert booking.notes == '=HYPERLINK("http://evil.example","x")'


def refused(tenant: Tenant, user: User, data: bytes, name: str) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from uploads.services import upload_create

    with pytest.raises(UploadFileError) as caught:
        upload_create(
            tenant=tenant, user=user, kind="booking", file=SimpleUploadedFile(name, data), skip_existing=False
        )
    return str(caught.value)


def test_legacy_xls_is_refused(tenant: Tenant, ops_user: User) -> None:
    data = ole_bytes({"Workbook": b"BIFF8 records"})
    assert olefile.OleFileIO(io.BytesIO(data)).exists("Workbook")  # a file olefile itself can read
    assert "Old Excel 97-2003 files (.xls) are not accepted" in refused(tenant, ops_user, data, "old.xls")


def test_password_protected_workbook_is_refused(tenant: Tenant, ops_user: User) -> None:
    data = ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00" * 64})
    assert "password-protected" in refused(tenant, ops_user, data, "secret.xlsx")


def test_macros_are_refused_by_name_and_by_content(tenant: Tenant, ops_user: User) -> None:
    assert "macros" in refused(tenant, ops_user, xlsx_bytes([]), "book.xlsm")
    with_macro = io.BytesIO()
    with zipfile.ZipFile(with_macro, "w") as archive:
        for info in zipfile.ZipFile(io.BytesIO(xlsx_bytes([]))).infolist():
            archive.writestr(info.filename, zipfile.ZipFile(io.BytesIO(xlsx_bytes([]))).read(info.filename))
        archive.writestr("xl/vbaProject.bin", b"macro")
    assert "contains macros" in refused(tenant, ops_user, with_macro.getvalue(), "innocent.xlsx")


def test_zip_bomb_is_refused_before_decompressing(tenant: Tenant, ops_user: User) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in zipfile.ZipFile(io.BytesIO(xlsx_bytes([]))).infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, zipfile.ZipFile(io.BytesIO(xlsx_bytes([]))).read(info.filename))
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000  # 40 MB in well under 100 kB
    assert "zip bomb" in refused(tenant, ops_user, bomb.getvalue(), "bomb.xlsx")


def test_oversize_files_are_refused(tenant: Tenant, ops_user: User, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    message = refused(tenant, ops_user, csv_bytes([good_row(n) for n in range(20)]), "big.csv")
    assert message.startswith("The file is 2.6 KB; the limit is 1000 bytes. Split it into smaller files")


def test_anything_else_is_refused(tenant: Tenant, ops_user: User) -> None:
    assert refused(tenant, ops_user, b"%PDF-1.7", "jobs.pdf") == "Only CSV (.csv) and Excel (.xlsx) files are accepted."
    assert refused(tenant, ops_user, b"", "empty.csv") == "The file is empty."
    assert "not a valid Excel workbook" in refused(tenant, ops_user, b"a,b\n", "fake.xlsx")
    assert (
        "not a text (CSV) file"
        in upload_run(tenant=tenant, user=ops_user, data=b"Customer\n\0\0binary", name="bin.csv").message
    )
