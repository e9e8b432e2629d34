"""Operations staff upload jobs in a real browser, against a real Celery worker: download the
template, fill it in (with openpyxl, as a spreadsheet program would), upload, read the preview with
two deliberate bad rows, fix them, upload again and create the jobs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection

from bookings.models import Booking
from tenancy.models import Role
from tests.e2e.conftest import Worker, login
from tests.factories import CustomerFactory, TenantFactory, UserFactory
from uploads.models import Upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


@pytest.fixture
def upload_worker(transactional_db: None, live_server: Any, settings: Any, tmp_path: Path) -> Any:
    """A real worker process; web (the live server thread) and worker share the upload folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = Worker({"MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    worker.broker_use()
    try:
        yield worker.start()
    finally:
        worker.stop()
        worker.broker_restore()
        # The test's own ORM calls ran while Playwright's event loop was active, in a connection of
        # their own; close it so that the test database can be flushed and dropped.
        connection.close()


def _fill(template: Path, out: Path, rows: list[dict[str, Any]]) -> Path:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Bookings"]
    headers = [c.value for c in sheet[1]]
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    workbook.save(out)
    return out


def _text(page: Any, selector: str) -> str:
    return re.sub(r"\s+", " ", page.inner_text(selector)).strip()


def test_ops_uploads_a_template_sees_bad_rows_fixes_them_and_creates_the_jobs(
    page: Any, upload_worker: Worker, tmp_path: Path
) -> None:
    tenant: Any = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role=Role.OPERATIONS, email="ops@acme.example")
    CustomerFactory(tenant=tenant, code="ACME", name="Acme Manufacturing")
    CustomerFactory(tenant=tenant, code="BOLT", name="Bolt Retail")
    login(page, "ops@acme.example")

    page.goto("/uploads/")
    with page.expect_download() as download:
        page.click("a[data-template=booking-xlsx]")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert openpyxl.load_workbook(template).sheetnames == ["Bookings", "Instructions", "Lists"]

    def row(ref: str, **extra: Any) -> dict[str, Any]:
        return {
            "Customer": "ACME",
            "Customer ref": ref,
            "Direction": "import",
            "Consignee name": "Bolt Retail",
            "Pickup date": "2026-12-07",
            "Delivery date": "2026-12-09",
            "Pieces": 3,
            "Charge 1 description": f"Linehaul {ref}",
            "Charge 1 unit price": 450,
            "Charge 1 tax code": "GST",
            **extra,
        }

    rows = [
        row("PO-1001", **{"Charge 2 description": "Fuel levy", "Charge 2 unit price": 35.5}),
        row("PO-1002", Customer="NOPE"),
        row("PO-1003", Customer="BOLT"),
        row("PO-1004", **{"Pickup date": "31/02/2026"}),
    ]

    def upload(path: Path) -> None:
        page.goto("/uploads/")
        page.select_option("select[name=kind]", "booking")
        page.set_input_files("input[name=file]", str(path))
        page.click("#upload-form button[type=submit]")
        # The worker checks the file; htmx polls and reloads the page when the check is done.
        page.wait_for_selector("#upload-counts", timeout=60_000)

    upload(_fill(template, tmp_path / "week49.xlsx", rows))
    assert _text(page, "#upload-counts") == "4 rows: 2 good, 2 with errors, 0 skipped."
    problems = {line: _text(page, f"tr[data-line='{line}'] td.row-problems") for line in (3, 5)}
    assert problems == {
        3: "Customer: no customer has the code or exact name 'NOPE'.",
        5: "Pickup date: '31/02/2026' is not a date; write 2026-03-02 or 2/3/2026 (day first).",
    }
    assert page.locator("tr[data-line='3'] td.cell-error").get_attribute("data-column") == "Customer"
    assert page.locator("#commit").count() == 0
    page.shots("preview-with-errors", readme="upload-preview")

    rows[1]["Customer"] = "Acme Manufacturing"  # the exact name works as well as the code
    rows[3]["Pickup date"] = "7/12/2026"
    upload(_fill(template, tmp_path / "week49-fixed.xlsx", rows))
    assert _text(page, "#upload-counts") == "4 rows: 4 good, 0 with errors, 0 skipped."
    page.click("#commit")
    page.wait_for_selector("#upload-status:has-text('Jobs created')", timeout=60_000)
    assert _text(page, "#upload-counts").startswith("4 rows: 4 good, 0 with errors, 0 skipped, 4 jobs created")
    page.shots("jobs-created")

    assert Upload.objects.filter(tenant=tenant).count() == 2
    page.click("#created-jobs a >> nth=0")
    page.wait_for_selector("text=PO-1001")
    detail = page.inner_text("main")
    assert "Linehaul PO-1001" in detail and "Fuel levy" in detail
    jobs = Booking.objects.filter(tenant=tenant).order_by("number")
    assert [(j.customer.code, j.customer_reference, j.charges.count()) for j in jobs] == [
        ("ACME", "PO-1001", 2),
        ("ACME", "PO-1002", 1),
        ("BOLT", "PO-1003", 1),
        ("ACME", "PO-1004", 1),
    ]
    page.goto("/uploads/")
    history = _text(page, "#upload-history")
    assert "week49-fixed.xlsx" in history and "week49.xlsx" in history
