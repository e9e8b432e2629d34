"""What kind of file was uploaded, and whether we are willing to open it at all.

Checked from the bytes, not the name alone: an ``.xlsx`` renamed ``.csv`` is still a workbook, and a
legacy ``.xls`` or a password-protected workbook (both OLE2 compound files) is recognised by its
signature. Zip containers are judged by their central directory before anything is decompressed:
``zipfile`` never inflates a member beyond the size its directory entry declares (it truncates and
then fails the CRC), so checking the declared sizes and ratios bounds what opening can cost.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

import olefile
from django.conf import settings
from django.template.defaultfilters import filesizeformat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam")
# A sheet's XML deflates well, but not this well: a larger ratio on a large member is a zip bomb.
MAX_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024
MAX_MEMBERS = 1000


class UploadFileError(Exception):
    """The file as a whole cannot be used; the message tells the user what to do."""


@dataclass(frozen=True)
class FileKind:
    format: str  # "csv" or "xlsx"


def _mb(size: int) -> str:
    return filesizeformat(size).replace("\xa0", " ")


def file_check(*, name: str, size: int, stream: IO[bytes]) -> FileKind:
    """Refuse what we will not open, with a message saying why and what to do instead."""
    limit = settings.UPLOAD_MAX_BYTES
    if size == 0:
        raise UploadFileError("The file is empty.")
    if size > limit:
        raise UploadFileError(
            f"The file is {_mb(size)}; the limit is {_mb(limit)}. Split it into smaller files and upload each."
        )
    lower = name.lower()
    if lower.endswith(MACRO_EXTENSIONS):
        raise UploadFileError("Workbooks with macros (.xlsm) are not accepted. Save it as an .xlsx workbook or CSV.")
    if lower.endswith(".xlsb"):
        raise UploadFileError("Binary workbooks (.xlsb) are not accepted. Save it as an .xlsx workbook or CSV.")
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        _refuse_ole(stream)
    if head.startswith(ZIP_MAGIC):
        _check_xlsx(stream)
        return FileKind("xlsx")
    if lower.endswith((".xlsx", ".xls")):
        raise UploadFileError("This is not a valid Excel workbook (.xlsx). Save it again from Excel, or as CSV.")
    if not lower.endswith((".csv", ".txt")):
        raise UploadFileError("Only CSV (.csv) and Excel (.xlsx) files are accepted.")
    return FileKind("csv")


def _refuse_ole(stream: IO[bytes]) -> None:
    """An OLE2 file is either an old .xls workbook or an encrypted (password-protected) .xlsx."""
    try:
        ole = olefile.OleFileIO(stream)
        streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
        ole.close()
    except OSError:
        streams = set()
    finally:
        stream.seek(0)
    if {"encryptioninfo", "encryptedpackage"} & streams:
        raise UploadFileError(
            "The workbook is password-protected. Remove the password in Excel "
            "(File → Info → Protect Workbook → Encrypt with Password, clear it), save and upload again."
        )
    raise UploadFileError(
        "Old Excel 97-2003 files (.xls) are not accepted. In Excel choose Save As → Excel Workbook (.xlsx), "
        "or CSV UTF-8, and upload that."
    )


def _check_xlsx(stream: IO[bytes]) -> None:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise UploadFileError("The workbook is damaged (not a readable .xlsx file).") from exc
    try:
        members = archive.infolist()
        names = {m.filename.lower() for m in members}
        if len(members) > MAX_MEMBERS:
            raise UploadFileError("The workbook has too many parts to be a spreadsheet; it was not opened.")
        if any(m.flag_bits & 0x1 for m in members):
            raise UploadFileError("The workbook is password-protected. Remove the password and upload again.")
        if any(n.endswith("vbaproject.bin") for n in names):
            raise UploadFileError("The workbook contains macros. Save it as an .xlsx workbook (without macros).")
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise UploadFileError("This zip file is not an Excel workbook (.xlsx).")
        if "xl/workbook.bin" in names:
            raise UploadFileError("Binary workbooks (.xlsb) are not accepted. Save it as an .xlsx workbook or CSV.")
        total = sum(m.file_size for m in members)
        if total > settings.UPLOAD_MAX_UNZIPPED_BYTES:
            raise UploadFileError(
                f"The workbook unpacks to {_mb(total)}, over the limit of {_mb(settings.UPLOAD_MAX_UNZIPPED_BYTES)}. "
                "Split it into smaller files."
            )
        for m in members:
            if m.file_size > RATIO_CHECK_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise UploadFileError("The workbook is compressed suspiciously well (a 'zip bomb'); it was not opened.")
        content_types = archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
        if b"macroEnabled" in content_types:
            raise UploadFileError("The workbook is macro-enabled. Save it as an .xlsx workbook (without macros).")
    finally:
        archive.close()
        stream.seek(0)
