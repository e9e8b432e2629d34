"""Reads of the uploads app: history, preview rows with their messages, the error report, created jobs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenancy.models import Tenant
from uploads.columns import layout_for
from uploads.models import Upload, UploadRow, UploadStatus


def upload_list(*, tenant: Tenant) -> QuerySet[Upload]:
    return Upload.objects.filter(tenant=tenant).select_related("created_by", "committed_by").order_by("-id")


def upload_same_file_committed(*, upload: Upload) -> Upload | None:
    """An earlier upload of exactly the same bytes (by SHA-256) whose jobs were created."""
    return (
        Upload.objects.filter(tenant_id=upload.tenant_id, sha256=upload.sha256, status=UploadStatus.COMMITTED)
        .exclude(pk=upload.pk)
        .select_related("committed_by")
        .order_by("-committed_at")
        .first()
    )


def upload_rows(*, upload: Upload, problems_only: bool) -> QuerySet[UploadRow]:
    rows = UploadRow.objects.filter(upload=upload).select_related("customer").order_by("line")
    if problems_only:
        rows = rows.filter(~Q(errors=[]) | Q(duplicate_of__isnull=False) | ~Q(existing_number=""))
    return rows


@dataclass(frozen=True)
class CellMessage:
    key: str
    header: str
    text: str

    def sentence(self, line: int) -> str:
        return f"Row {line}, column {self.header}: {self.text}"


def row_messages(*, upload: Upload, row: UploadRow) -> list[CellMessage]:
    """Every problem of a row, by column, as the preview and the error report show it."""
    layout = layout_for(upload.kind)
    found = [CellMessage(key, layout.header_of(key), text) for key, text in row.errors]
    ref = layout.header_of("customer_reference")
    if row.duplicate_of is not None:
        found.append(CellMessage("customer_reference", ref, f"repeats row {row.duplicate_of} for the same customer."))
    if row.existing_number:
        who = row.customer.name if row.customer else "this customer"
        action = " (will be skipped)" if upload.skip_existing and not row.is_bad else ""
        found.append(
            CellMessage("customer_reference", ref, f"already exists for {who} as {row.existing_number}{action}.")
        )
    return found


def upload_error_report(*, upload: Upload) -> Iterator[list[str]]:
    """Rows of the downloadable error report: one line per problem, with what the cell held."""
    yield ["Row", "Column", "Value", "Problem"]
    for row in upload_rows(upload=upload, problems_only=True).iterator(chunk_size=1000):
        for message in row_messages(upload=upload, row=row):
            yield [str(row.line), message.header, row.values.get(message.key, ""), message.text]


def upload_created_rows(*, upload: Upload) -> QuerySet[UploadRow]:
    return UploadRow.objects.filter(upload=upload, job_id__isnull=False).order_by("line")
