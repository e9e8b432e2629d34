"""Writes of documents: attach a checked upload to a job."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from documents.checks import upload_check
from documents.models import Document, DocumentKind
from jobs.models import Job
from jobs.refs import job_link
from tenancy.models import Role, User


def document_attach(*, job: Job, upload: UploadedFile, kind: str, user: User) -> Document:
    """Check the upload, store it under a random key, then record it. If the row cannot be saved
    the stored file is removed again, so storage holds no orphan."""
    if user.tenant_id != job.tenant_id or user.role == Role.CUSTOMER:
        raise ValidationError("Choose one of your own jobs.")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "Choose a kind of document."})
    checked = upload_check(upload)
    document = Document(
        tenant_id=job.tenant_id,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=user,
        **job_link(job),
    )
    document.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document
