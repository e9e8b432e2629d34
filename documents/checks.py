"""What an upload must pass before it is kept: size, a safe name, a type detected from its bytes
(``filetype``, magic numbers; never the name or the browser's Content-Type), and for the zip-based
office formats, no zip bomb."""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# Detected MIME type → what we call it. Anything else (executables, HTML, archives, …) is refused.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/webp": "WebP image",
    "image/heic": "HEIC photo",
    "image/tiff": "TIFF image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
}
ZIP_BASED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# An office file that unpacks to more than this, or with more members, or compressed more than
# this ratio, is treated as a zip bomb.
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_RATIO = 100
NAME_MAX = 150


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int


def upload_name_check(name: str) -> str:
    """The name as shown and offered on download. Path tricks are refused, not repaired: Django
    already drops ``../`` parts of a multipart name, so what is left (backslashes, control
    characters, a leading dot, a bare ``..``) means someone is trying."""
    name = unicodedata.normalize("NFC", name or "")
    bad = (
        not name
        or len(name) > NAME_MAX
        or name in (".", "..")
        or name.startswith(".")
        or any(ch in name for ch in "/\\")
        or any(unicodedata.category(ch).startswith("C") for ch in name)
    )
    if bad:
        raise ValidationError(f"The file name is not allowed; use a plain name of at most {NAME_MAX} characters.")
    return name


def _zip_bomb_check(upload: UploadedFile) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise ValidationError("The office file has too many parts.")
            unpacked = sum(m.file_size for m in members)
            packed = max(1, sum(m.compress_size for m in members))
            if unpacked > ZIP_MAX_UNPACKED or unpacked / packed > ZIP_MAX_RATIO:
                raise ValidationError("The office file unpacks to far more than its size (a zip bomb?).")
    except zipfile.BadZipFile as exc:
        raise ValidationError("The office file is damaged.") from exc
    finally:
        upload.seek(0)


def upload_check(upload: UploadedFile) -> CheckedUpload:
    """Refuse or describe an upload; reads at most the head of the file (and a zip's directory)."""
    max_bytes = int(settings.DOCUMENT_MAX_BYTES)
    size = int(upload.size or 0)
    if size > max_bytes:
        raise ValidationError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    if size == 0:
        raise ValidationError("The file is empty.")
    name = upload_name_check(str(upload.name or ""))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else ""
    if content_type == "application/zip" and name.lower().endswith((".docx", ".xlsx")):
        # filetype names office files only when the marker member comes first; look inside.
        content_type = _office_type(upload) or content_type
    if content_type not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(set(ALLOWED_TYPES.values())))
        raise ValidationError(f"This kind of file is not accepted (by its content). Accepted: {allowed}.")
    if content_type in ZIP_BASED:
        _zip_bomb_check(upload)
    return CheckedUpload(name=name, content_type=content_type, size=size)


def _office_type(upload: UploadedFile) -> str:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist()[:ZIP_MAX_MEMBERS])
    except zipfile.BadZipFile:
        return ""
    finally:
        upload.seek(0)
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return ""
