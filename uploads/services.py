"""Writes of the uploads app: receive a file, check every row, discard, choose to skip existing.

Creating the jobs (the commit) lives in :mod:`uploads.commit`. Checking and committing run in
Celery tasks (:mod:`uploads.tasks`); the web request only stores the file and queues the check.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Iterator
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tenancy.models import Tenant, User
from uploads.checks import RowChecker
from uploads.columns import layout_for
from uploads.files import UploadFileError, file_check
from uploads.models import Upload, UploadRow, UploadStatus
from uploads.progress import ProgressWriter
from uploads.readers import rows_open

logger = logging.getLogger(__name__)
CHUNK_ROWS = 500
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


class UploadActionError(Exception):
    """The action is not possible in the upload's current state; the message says why."""


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def upload_create(*, tenant: Tenant, user: User, kind: str, file: UploadedFile, skip_existing: bool) -> Upload:
    """Store the file and queue its check. Refuses unreadable or unsafe files with UploadFileError."""
    layout_for(kind)  # unknown kinds fail here, not in the worker
    name = UNSAFE_NAME.sub("", file.name or "upload")[-255:]
    size = file.size or 0
    found = file_check(name=name, size=size, stream=file)  # type: ignore[arg-type]
    upload = Upload(
        tenant=tenant,
        kind=kind,
        file_name=name,
        file_size=size,
        file_format=found.format,
        sha256=_sha256(file),  # type: ignore[arg-type]
        skip_existing=skip_existing,
        created_by=user,
    )
    with transaction.atomic():
        upload.file.save(name, file, save=False)
        upload.save()
        transaction.on_commit(lambda: _enqueue_check(upload.pk))
    return upload


def _enqueue_check(upload_id: int) -> None:
    from uploads.tasks import upload_check_task

    upload_check_task.delay(upload_id)


CHECK_LOCK_NAMESPACE = 0x55504C43  # "UPLC": one check of an upload at a time


@contextlib.contextmanager
def _check_lock(upload_id: int) -> Iterator[bool]:
    """A session advisory lock: a task delivered twice (acks_late) does not check the file twice at once."""
    key = [CHECK_LOCK_NAMESPACE, upload_id % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        row = cursor.fetchone()
    got = bool(row and row[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def upload_check(*, upload_id: int) -> None:
    """Read and check every row of a queued upload; store the rows and the counts.

    Runs in a worker. A check interrupted by a crash (the task is delivered again) starts again
    from the beginning; one running at the same moment makes the second delivery do nothing.
    """
    with _check_lock(upload_id) as got:
        if got:
            _upload_check(upload_id)


def _upload_check(upload_id: int) -> None:
    claimed = Upload.objects.filter(pk=upload_id, status__in=[UploadStatus.QUEUED, UploadStatus.CHECKING]).update(
        status=UploadStatus.CHECKING, progress_done=0, progress_percent=0, message=""
    )
    if not claimed:
        return
    upload = Upload.objects.select_related("tenant").get(pk=upload_id)
    UploadRow.objects.filter(upload=upload).delete()
    progress = ProgressWriter(upload.pk, side_connection=False)
    try:
        encoding = _rows_store(upload, progress)
    except UploadFileError as exc:
        UploadRow.objects.filter(upload=upload).delete()
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.REFUSED, message=str(exc), checked_at=timezone.now()
        )
        return
    except Exception:
        logger.exception("upload %s: check failed", upload.pk)
        UploadRow.objects.filter(upload=upload).delete()
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.REFUSED,
            message="The file could not be read because of an error on our side (it has been logged). Try again later.",
            checked_at=timezone.now(),
        )
        return
    references_check(upload=upload)
    Upload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.CHECKED,
        encoding=encoding,
        checked_at=timezone.now(),
        progress_percent=100,
        **upload_counts(upload=upload),
    )


def _rows_store(upload: Upload, progress: ProgressWriter) -> str:
    checker = RowChecker(tenant=upload.tenant, kind=upload.kind)
    done = 0
    with upload.file.open("rb") as stream:
        file_check(name=upload.file_name, size=upload.file_size, stream=stream)
        with rows_open(stream=stream, file_format=upload.file_format, kind=upload.kind, size=upload.file_size) as sheet:
            chunk: list[tuple[int, dict[str, Any]]] = []
            for item in sheet.rows:
                chunk.append(item)
                if len(chunk) >= CHUNK_ROWS:
                    done += _chunk_store(upload, checker, chunk)
                    progress(done=done, percent=int(sheet.progress() * 95))
                    chunk = []
            if chunk:
                done += _chunk_store(upload, checker, chunk)
            if not done:
                raise UploadFileError("The file has a header row but no rows of jobs.")
            return sheet.encoding


def _chunk_store(upload: Upload, checker: RowChecker, chunk: list[tuple[int, dict[str, Any]]]) -> int:
    rows = checker.chunk_check(upload_id=upload.pk, rows=chunk)
    UploadRow.objects.bulk_create(rows)
    return len(rows)


def references_check(*, upload: Upload) -> None:
    """Flag references repeated within the file and those that already exist for the customer.

    Set-based, in SQL over the stored rows: memory does not grow with the file. A reference repeats
    when the same customer has it again; the first row keeps it, the later ones are flagged.
    """
    model = layout_for(upload.kind).model
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE uploads_uploadrow r SET duplicate_of = d.first_line
            FROM (
                SELECT id, line, min(line) OVER (PARTITION BY customer_id, reference) AS first_line
                FROM uploads_uploadrow
                WHERE upload_id = %s AND reference <> '' AND customer_id IS NOT NULL
            ) d
            WHERE r.id = d.id AND d.line > d.first_line
            """,
            [upload.pk],
        )
    rows_existing_flag(upload=upload, table=model._meta.db_table)


def rows_existing_flag(*, upload: Upload, table: str) -> None:
    """Mark each row whose customer already has a job with the row's reference (the job's number)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE uploads_uploadrow r SET existing_number = coalesce((
                SELECT j.number FROM {connection.ops.quote_name(table)} j
                WHERE j.tenant_id = %s AND j.customer_id = r.customer_id AND j.customer_reference = r.reference
                ORDER BY j.id LIMIT 1
            ), '')
            WHERE r.upload_id = %s AND r.reference <> '' AND r.customer_id IS NOT NULL
            """,  # noqa: S608 - the table name comes from the model, not from input
            [upload.tenant_id, upload.pk],
        )


def upload_counts(*, upload: Upload) -> dict[str, int]:
    bad = ~Q(errors=[]) | Q(duplicate_of__isnull=False)
    return UploadRow.objects.filter(upload=upload).aggregate(
        rows_total=Count("id"),
        rows_bad=Count("id", filter=bad),
        rows_existing=Count("id", filter=~bad & ~Q(existing_number="")),
    )


def upload_skip_existing_set(*, upload: Upload, skip: bool) -> None:
    """The user's explicit choice: skip rows whose reference exists, or count them as errors."""
    changed = Upload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKED).update(skip_existing=skip)
    if not changed:
        raise UploadActionError("The upload can no longer be changed.")


def upload_discard(*, upload: Upload) -> None:
    """Drop a checked (or refused) upload that will not be committed; its rows go, the record stays."""
    changed = Upload.objects.filter(pk=upload.pk, status__in=[UploadStatus.CHECKED, UploadStatus.REFUSED]).update(
        status=UploadStatus.DISCARDED
    )
    if not changed:
        raise UploadActionError("Only a checked upload that has not been committed can be discarded.")
    UploadRow.objects.filter(upload=upload).delete()


def upload_progress(*, upload_id: int) -> ProgressWriter:
    return ProgressWriter(upload_id, side_connection=True)


def upload_commit_request(*, upload: Upload, user: User, confirm_duplicate: bool) -> None:
    """Queue the commit (checked → creating jobs), after the same-file warning was acknowledged."""
    from uploads.selectors import upload_same_file_committed

    if not upload.can_commit:
        raise UploadActionError("This upload cannot be committed: fix the rows with errors and upload the file again.")
    if upload_same_file_committed(upload=upload) and not confirm_duplicate:
        raise UploadActionError(
            "The same file was committed before. Tick 'Commit anyway' if you really want the jobs twice."
        )
    claimed = Upload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKED).update(
        status=UploadStatus.COMMITTING, committed_by=user, message="", progress_done=0, progress_percent=0
    )
    if not claimed:
        raise UploadActionError("This upload is already being committed.")

    def enqueue() -> None:
        from uploads.tasks import upload_commit_task

        upload_commit_task.delay(upload.pk)

    transaction.on_commit(enqueue)
