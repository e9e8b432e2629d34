"""Upload pages: roles and tenants, the template downloads, the preview, the error report, escaping."""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tenancy.models import Tenant, User
from tests.factories import CustomerFactory
from tests.uploads.helpers import BOOKING_HEADER, csv_bytes, good_row, ole_bytes, upload_run
from uploads.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def checked(tenant: Tenant, ops_user: User, acme: Customer) -> Upload:
    rows = [
        good_row(1),
        good_row(2, customer="<script>alert(1)</script>"),
        good_row(3, notes="=cmd|' /C calc'!A0", pieces="-2"),
    ]
    return upload_run(tenant=tenant, user=ops_user, data=csv_bytes(rows), name="<i>jobs.csv")


def upload_urls(upload: Upload) -> list[tuple[str, str]]:
    pid = upload.public_id
    return [
        ("GET", reverse("uploads:index")),
        ("GET", reverse("uploads:template", args=["booking", "xlsx"])),
        ("GET", reverse("uploads:template", args=["warehouse", "csv"])),
        ("GET", reverse("uploads:detail", args=[pid])),
        ("GET", reverse("uploads:progress", args=[pid])),
        ("GET", reverse("uploads:errors_csv", args=[pid])),
        ("POST", reverse("uploads:skip_existing", args=[pid])),
        ("POST", reverse("uploads:commit", args=[pid])),
        ("POST", reverse("uploads:discard", args=[pid])),
    ]


def test_operations_and_admin_may_upload_accounts_may_not(
    checked: Upload, ops_user: User, admin_user: User, accounts_user: User
) -> None:
    for method, url in upload_urls(checked):
        for user in (ops_user, admin_user):
            response = getattr(client_for(user), method.lower())(url)
            assert response.status_code in (200, 302), (user.role, url, response.status_code)
        response = getattr(client_for(accounts_user), method.lower())(url)
        assert response.status_code == 403, (url, response.status_code)
        anonymous = getattr(Client(), method.lower())(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_another_tenant_gets_404_for_every_upload_page(checked: Upload, other_admin: User) -> None:
    client = client_for(other_admin)
    for method, url in upload_urls(checked):
        if "/uploads/template/" in url or url == reverse("uploads:index"):
            continue
        assert getattr(client, method.lower())(url).status_code == 404, url
    history = client.get(reverse("uploads:index")).content.decode()
    assert str(checked.public_id) not in history and "jobs.csv" not in history
    checked.refresh_from_db()
    assert checked.status == UploadStatus.CHECKED


def test_preview_shows_cell_errors_counts_and_escapes_html(checked: Upload, ops_user: User) -> None:
    page = client_for(ops_user).get(reverse("uploads:detail", args=[checked.public_id])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;i&gt;jobs.csv" in page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "3 rows: 1 good, 2 with errors, 0 skipped" in text
    assert "Customer: no customer has the code or exact name &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;." in text
    assert "Pieces: Ensure this value is greater than or equal to 0." in text
    assert 'class="cell-error" data-column="Pieces"' in page
    assert 'id="commit"' not in page  # bad rows: no commit button


def test_error_report_lists_each_problem_and_neutralises_formulas(checked: Upload, ops_user: User) -> None:
    response = client_for(ops_user).get(reverse("uploads:errors_csv", args=[checked.public_id]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Row", "Column", "Value", "Problem"]
    assert ["4", "Pieces", "'-2", "Ensure this value is greater than or equal to 0."] in rows
    assert rows[1][:3] == ["3", "Customer", "<script>alert(1)</script>"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_xlsx_template_has_instructions_dropdowns_and_the_tenants_codes(
    tenant: Tenant, ops_user: User, acme: Customer
) -> None:
    CustomerFactory.create(tenant=tenant, code="=EVIL()", name="Formula Co")
    response = client_for(ops_user).get(reverse("uploads:template", args=["booking", "xlsx"]))
    assert response["Content-Disposition"] == 'attachment; filename="bookings-template.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Bookings", "Instructions", "Lists"]
    sheet = workbook["Bookings"]
    assert [c.value for c in sheet[1]] == BOOKING_HEADER
    assert sheet.max_row == 1  # no example data row that could be imported by accident
    lists = {
        re.match(r"[A-Z]+", r.coord).group(): v.formula1  # type: ignore[union-attr]
        for v in sheet.data_validations.dataValidation
        for r in v.sqref.ranges
    }

    def letter(header: str) -> str:
        return openpyxl.utils.get_column_letter(BOOKING_HEADER.index(header) + 1)

    assert lists[letter("Customer")] == "Lists!$A$2:$A$3"  # customer codes
    assert lists[letter("Status")].startswith("Lists!$B$2")  # statuses
    assert lists[letter("Direction")] == "Lists!$C$2:$C$3"  # import, export
    taxes = {lists[letter(f"Charge {n} tax code")] for n in (1, 2, 3)}
    assert taxes == {"Lists!$D$2:$D$4"}  # tax codes FRE, GST, NONE
    codes = [c.value for c in workbook["Lists"]["A"][1:3]]
    assert codes == ["=EVIL()", "ACME"]
    assert workbook["Lists"]["A2"].data_type == "s"  # text, never a formula
    instructions = [r[0] for r in workbook["Instructions"].iter_rows(values_only=True) if r[0]]
    assert "Pickup date" in instructions and any(str(v).startswith("Example row") for v in instructions)


def test_csv_template_has_the_same_columns(ops_user: User) -> None:
    response = client_for(ops_user).get(reverse("uploads:template", args=["booking", "csv"]))
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == BOOKING_HEADER


def test_refused_file_is_a_form_error_not_a_500(ops_user: User) -> None:
    client = client_for(ops_user)
    response = client.post(
        reverse("uploads:index"),
        {"kind": "booking", "file": SimpleUploadedFile("old.xls", ole_bytes({"Workbook": b"x"}))},
    )
    assert response.status_code == 200
    assert "Old Excel 97-2003 files (.xls) are not accepted" in response.content.decode()
    assert not Upload.objects.exists()


def test_upload_form_stores_the_file_and_shows_the_queued_upload(ops_user: User, settings: Any) -> None:
    client = client_for(ops_user)
    response = client.post(
        reverse("uploads:index"),
        {"kind": "booking", "file": SimpleUploadedFile("jobs.csv", csv_bytes([good_row(1)])), "skip_existing": "on"},
    )
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("uploads:detail", args=[upload.public_id])
    assert (upload.status, upload.skip_existing, upload.file_name, upload.created_by) == (
        "queued",
        True,
        "jobs.csv",
        ops_user,
    )
    page = client.get(response["Location"]).content.decode()
    assert 'hx-get="' + reverse("uploads:progress", args=[upload.public_id]) in page


def test_commit_view_creates_the_jobs_through_the_worker_task(
    tenant: Tenant, ops_user: User, acme: Customer, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from freighttracker.celery import app

    app.conf.task_always_eager = True
    try:
        upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes([good_row(1)]), name="a.csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(ops_user).post(reverse("uploads:commit", args=[upload.public_id]))
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMMITTED, upload.message
    page = client_for(ops_user).get(reverse("uploads:detail", args=[upload.public_id])).content.decode()
    assert "B000001" in page and reverse("bookings:detail", args=[upload.rows.get().job_id]) in page
    assert upload.committed_at is not None
    sydney = upload.committed_at.astimezone(zoneinfo.ZoneInfo("Australia/Sydney"))
    assert f"on {sydney:%-d %b %Y %H:%M} AEDT by ops@acme.example" in page  # the tenant's zone, named
    history = client_for(ops_user).get(reverse("uploads:index")).content.decode()
    assert f"{upload.created_at.astimezone(sydney.tzinfo):%-d %b %Y %H:%M} AEDT" in history
