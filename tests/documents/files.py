"""Small real files for upload tests, made in memory."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def docx(*, payload: bytes = b"<w:document/>") -> bytes:
    """A minimal Word file: a zip with [Content_Types].xml first and word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", payload)
    return buffer.getvalue()


def docx_bomb() -> bytes:
    """A Word file whose one member unpacks to 20 MB of zeros from a few kB."""
    return docx(payload=b"\x00" * (20 * 1024 * 1024))
