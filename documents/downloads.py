"""One place that turns a Document into an HTTP download (staff and portal alike)."""

from __future__ import annotations

from typing import cast

from django.http import FileResponse, HttpResponse

from documents.models import Document


def document_response(document: Document) -> HttpResponse:
    """Streams from whatever storage holds the file; always an attachment, with the type we
    detected and ``nosniff`` (set by SecurityMiddleware), so a browser never renders it as a page."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)  # a streaming response, typed as the views' HttpResponse
