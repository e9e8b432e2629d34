"""Create the jobs of a checked upload: every accepted row becomes a job, or none does.

One transaction. The tenant's job counter is locked first, which also serialises concurrent commits
of the same kind of job: the references are then checked again against what is committed *now*
(another upload, or a person, may have added one since the preview), the exact number of jobs is
reserved as one block of the sequence, and the jobs and their charges are written in chunks. A
problem found at that point rolls everything back, numbers included, and the upload returns to the
preview with the rows flagged.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tenancy.services import number_format, sequence_lock, sequence_reserve
from uploads.columns import Layout, layout_for
from uploads.models import Upload, UploadRow, UploadStatus
from uploads.services import ProgressWriter, rows_existing_flag, upload_counts, upload_progress

logger = logging.getLogger(__name__)
CHUNK_ROWS = 1000
LOCK_NAMESPACE = 0x55504C44  # "UPLD": advisory locks of this app


class UploadConflict(Exception):
    """Rows became unacceptable between the preview and the commit; nothing was written."""


def upload_commit(*, upload_id: int) -> None:
    """Run by the worker for an upload in "creating jobs"; safe to run twice (the second does nothing)."""
    upload = Upload.objects.select_related("tenant").filter(pk=upload_id).first()
    if upload is None or upload.status != UploadStatus.COMMITTING:
        return
    layout = layout_for(upload.kind)
    progress = upload_progress(upload_id=upload.pk)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One commit per upload at a time, even if the task is delivered twice.
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, upload.pk % 2**31])
            if Upload.objects.filter(pk=upload.pk, status=UploadStatus.COMMITTING).count() == 0:
                return
            _commit(upload, layout, progress)
    except UploadConflict as exc:
        rows_existing_flag(upload=upload, table=layout.model._meta.db_table)
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.CHECKED, message=str(exc), progress_percent=0, **upload_counts(upload=upload)
        )
    except Exception:
        logger.exception("upload %s: commit failed", upload.pk)
        Upload.objects.filter(pk=upload.pk, status=UploadStatus.COMMITTING).update(
            status=UploadStatus.CHECKED,
            progress_percent=0,
            message="Creating the jobs failed because of an error on our side (logged); nothing was written. "
            "Try again later.",
        )
    finally:
        progress.close()


def _accepted(upload: Upload) -> Any:
    return UploadRow.objects.filter(upload=upload, errors=[], duplicate_of__isnull=True, existing_number="")


def _commit(upload: Upload, layout: Layout, progress: ProgressWriter) -> None:
    tenant = upload.tenant
    sequence = layout.model.SEQUENCE_NAME  # type: ignore[attr-defined]
    sequence_lock(tenant=tenant, name=sequence)  # see the module docstring
    rows_existing_flag(upload=upload, table=layout.model._meta.db_table)
    gone = UploadRow.objects.filter(upload=upload, errors=[], customer__isnull=True).count()
    counts = upload_counts(upload=upload)
    if gone:
        raise UploadConflict(f"{gone} row(s) name a customer that has since been deleted; nothing was written.")
    if counts["rows_bad"] or (counts["rows_existing"] and not upload.skip_existing):
        raise UploadConflict(
            f"Since the check, {counts['rows_existing']} reference(s) were created by someone else; "
            "nothing was written. Skip existing references or fix the file, then commit again."
        )
    total = _accepted(upload).count()
    if not total:
        raise UploadConflict("No row is left to create; nothing was written.")
    numbers = iter(sequence_reserve(tenant=tenant, name=sequence, count=total))
    prefix = layout.model.NUMBER_PREFIX  # type: ignore[attr-defined]
    created, last_line = 0, 0
    first_number = last_number = ""
    while True:
        chunk = list(
            _accepted(upload)
            .filter(line__gt=last_line)
            .order_by("line")
            .values_list("id", "line", "customer_id", "parsed")[:CHUNK_ROWS]
        )
        if not chunk:
            break
        jobs = [
            layout.model(
                tenant=tenant,
                customer_id=customer_id,
                number=number_format(prefix=prefix, value=next(numbers)),
                **_job_fields(layout, clean),
            )
            for _id, _line, customer_id, clean in chunk
        ]
        layout.model._default_manager.bulk_create(jobs)
        charges = [
            layout.charge_model(job_id=job.pk, position=position, **_charge_fields(charge))
            for job, (_id, _line, _customer, clean) in zip(jobs, chunk, strict=True)
            for position, charge in enumerate(clean.get("charges", []))
        ]
        layout.charge_model._default_manager.bulk_create(charges)
        _rows_link(chunk_ids=[c[0] for c in chunk], jobs=jobs)
        created += len(jobs)
        first_number = first_number or jobs[0].number  # type: ignore[attr-defined]
        last_number = jobs[-1].number  # type: ignore[attr-defined]
        last_line = chunk[-1][1]
        progress(done=created, percent=int(created * 100 / total))
    if created != total:
        raise UploadConflict("The rows changed while the jobs were created; nothing was written.")
    Upload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.COMMITTED,
        committed_at=timezone.now(),
        rows_created=created,
        first_number=first_number,
        last_number=last_number,
        progress_done=created,
        progress_percent=100,
        message="",
        **counts,
    )


def _job_fields(layout: Layout, clean: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column in layout.columns:
        key = column.key
        if key == "customer" or key.startswith("charge"):
            continue
        value = clean.get(key)
        if value is None:
            continue  # the model's default (first status, 1 piece, no date, …)
        if column.type == "date":
            value = dt.date.fromisoformat(value)
        elif column.type in ("decimal", "money"):
            value = Decimal(value)
        fields[key] = value
    return fields


def _charge_fields(charge: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": charge["description"],
        "quantity": Decimal(charge["quantity"]),
        "unit_price": Decimal(charge["unit_price"]),
        "account_code": charge.get("account_code") or "",
        "tax_code_id": charge.get("tax_code"),
    }


def _rows_link(*, chunk_ids: list[int], jobs: list[Any]) -> None:
    """Remember which job each row became, for the upload's list of created jobs."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE uploads_uploadrow r SET job_id = v.job_id, job_number = v.number
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(id, job_id, number)
            WHERE r.id = v.id
            """,
            [chunk_ids, [j.pk for j in jobs], [j.number for j in jobs]],
        )
