"""Bulk upload benchmark (not a test): parse, check and commit CSV and XLSX files of jobs.

    python bench/upload_bench.py [--rows 1000 10000]      (or: make bench-upload)

For each format and size it writes a bookings file (one charge per row, the same few customers),
then measures, on a throw-away database (``bench_upload_<name>`` of ``DATABASE_URL``, or the
embedded PostgreSQL):

* **parse**: reading every row of the file (``uploads.readers``), nothing else;
* **check**: what the worker does after an upload: parse, validate every cell, store the rows,
  then the duplicate and existing-reference checks in SQL; **validate** is check minus parse;
* **commit**: creating the jobs and charges in one transaction (``uploads.commit``);
* **end to end**: check + commit, the time from "Upload" to "Jobs created" without queueing;
* **peak memory**: the largest Python heap (``tracemalloc``) during check and during commit, in a
  second run of each phase (tracemalloc slows Python down, so times come from the first run).

Targets: 10,000 rows end to end in at most 10 s, and peak memory that does not grow with the file
(1,000 rows against 10,000).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    media = tempfile.TemporaryDirectory(prefix="upload-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "freighttracker.settings",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": media.name,
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # As in production: with DEBUG on, Django keeps the text of the last 9,000 queries (bulk inserts
    # included), which would be measured as the upload's memory.
    settings.DEBUG = False

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_upload_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        results = [_bench(fmt, rows) for fmt in ("csv", "xlsx") for rows in args.rows]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        media.cleanup()
    _print(results)


def _file(fmt: str, rows: int) -> bytes:
    from uploads.columns import layout_for

    columns = layout_for("booking").columns
    header = [c.header for c in columns]
    today = dt.date.today()
    values = {
        "customer": None,
        "customer_reference": None,
        "direction": "import",
        "container_number": "MSCU1234567",
        "status": "booked",
        "consignor_name": "Acme Pty Ltd",
        "consignor_address": "1 Dock Road, Port Botany NSW 2036",
        "consignee_name": "Bolt Retail",
        "consignee_address": "9 High Street, Parramatta NSW 2150",
        "pickup_date": today.isoformat(),
        "delivery_date": (today + dt.timedelta(days=2)).isoformat(),
        "pieces": "3",
        "weight_kg": "1250.5",
        "volume_m3": "4.2",
        "charge1_description": "Linehaul Sydney to Melbourne",
        "charge1_quantity": "1",
        "charge1_unit_price": "450.00",
        "charge1_tax_code": "GST",
    }

    def row(n: int) -> list[Any]:
        filled = {**values, "customer": f"CUST{n % 20:02d}", "customer_reference": f"PO-{n:07d}"}
        return [filled.get(c.key, "") for c in columns]

    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(row(n) for n in range(rows))
        return out.getvalue().encode()
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Bookings")
    sheet.append(header)
    for n in range(rows):
        sheet.append(row(n))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _peak(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def _bench(fmt: str, rows: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    import uploads.services as services
    from bookings.models import Booking
    from tests.factories import CustomerFactory, TenantFactory, UserFactory
    from uploads.commit import upload_commit
    from uploads.models import Upload
    from uploads.readers import rows_open

    services._enqueue_check = lambda upload_id: None  # type: ignore[assignment]  # no broker: we run the check
    data = _file(fmt, rows)
    tenant = TenantFactory.create(slug=f"bench-{fmt}-{rows}")
    user = UserFactory.create(tenant=tenant, email=f"ops-{fmt}-{rows}@bench.example")
    for n in range(20):
        CustomerFactory.create(tenant=tenant, code=f"CUST{n:02d}")

    def parse(upload: Upload) -> None:
        with (
            upload.file.open("rb") as stream,
            rows_open(stream=stream, file_format=upload.file_format, kind="booking", size=upload.file_size) as sheet,
        ):
            count = sum(1 for _ in sheet.rows)
        assert count == rows, count

    def new_upload() -> Upload:
        return services.upload_create(
            tenant=tenant, user=user, kind="booking", file=SimpleUploadedFile(f"bench.{fmt}", data), skip_existing=False
        )

    def check_commit(upload: Upload, *, measure: Callable[[Callable[[], Any]], float]) -> tuple[float, float]:
        check = measure(lambda: services.upload_check(upload_id=upload.pk))
        upload.refresh_from_db()
        assert upload.can_commit, (upload.status, upload.message, upload.rows_refused)
        services.upload_commit_request(upload=upload, user=user, confirm_duplicate=True)
        commit = measure(lambda: upload_commit(upload_id=upload.pk))
        upload.refresh_from_db()
        assert upload.rows_created == rows, upload.message
        return check, commit

    first = new_upload()
    parse_s = _timed(lambda: parse(first))
    check_s, commit_s = check_commit(first, measure=_timed)
    assert Booking.objects.filter(tenant=tenant).count() == rows
    Booking.objects.filter(tenant=tenant).delete()  # the second run checks the same references again
    second = new_upload()
    parse_mb = _peak(lambda: parse(second))
    check_mb, commit_mb = check_commit(second, measure=_peak)
    return {
        "format": fmt,
        "rows": rows,
        "file_kb": len(data) / 1024,
        "parse_s": parse_s,
        "validate_s": check_s - parse_s,
        "check_s": check_s,
        "commit_s": commit_s,
        "total_s": check_s + commit_s,
        "parse_mb": parse_mb,
        "check_mb": check_mb,
        "commit_mb": commit_mb,
    }


def _print(results: list[dict[str, Any]]) -> None:
    print()
    print(
        f"{'file':<14}{'size kB':>9}{'parse s':>9}{'validate s':>12}{'check s':>9}{'commit s':>10}"
        f"{'end-to-end s':>14}{'peak MB parse':>15}{'check':>8}{'commit':>8}"
    )
    for r in results:
        print(
            f"{r['format'] + ' ' + format(r['rows'], ','):<14}{r['file_kb']:>9.0f}{r['parse_s']:>9.2f}"
            f"{r['validate_s']:>12.2f}{r['check_s']:>9.2f}{r['commit_s']:>10.2f}{r['total_s']:>14.2f}"
            f"{r['parse_mb']:>15.1f}{r['check_mb']:>8.1f}{r['commit_mb']:>8.1f}"
        )
    print()
    print("validate = check (parse + validate + store rows + reference checks) - parse; end-to-end = check + commit")
    print("targets: 10,000 rows end to end <= 10 s; peak memory not growing with the file (1,000 vs 10,000 rows)")
    for fmt in ("csv", "xlsx"):
        sizes = sorted((r for r in results if r["format"] == fmt), key=lambda r: r["rows"])
        if len(sizes) >= 2:
            small, big = sizes[0], sizes[-1]
            print(
                f"{fmt}: {big['rows']:,} rows in {big['total_s']:.1f} s; peak memory {small['rows']:,} -> "
                f"{big['rows']:,} rows: check {small['check_mb']:.1f} -> {big['check_mb']:.1f} MB, "
                f"commit {small['commit_mb']:.1f} -> {big['commit_mb']:.1f} MB"
            )


if __name__ == "__main__":
    main()
