"""Upload, check and commit: counts, cell errors, references, all-or-nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bookings.models import Booking
from customers.models import Customer
from tenancy.models import Tenant, User
from tests.factories import BookingFactory
from tests.uploads.helpers import booking_row, csv_bytes, good_row, upload_commit_run, upload_run
from uploads.models import UploadStatus
from uploads.selectors import row_messages, upload_rows

pytestmark = pytest.mark.django_db


def messages_of(upload):  # type: ignore[no-untyped-def]
    return {
        row.line: [m.sentence(row.line) for m in row_messages(upload=upload, row=row)]
        for row in upload_rows(upload=upload, problems_only=True)
    }


def test_good_file_creates_jobs_with_references_and_charges(
    tenant: Tenant, ops_user: User, acme: Customer, bolt: Customer
) -> None:
    data = csv_bytes(
        [
            good_row(1),
            good_row(
                2,
                customer="Bolt Retail Café",
                direction="Import",
                container_number="MSCU1234567",
                charge2_description="Fuel levy",
                charge2_unit_price="$12.50",
                charge2_tax_code="FRE",
            ),
        ]
    )
    upload = upload_run(tenant=tenant, user=ops_user, data=data, name="jobs.csv")
    assert upload.status == UploadStatus.CHECKED, upload.message
    assert (upload.rows_total, upload.rows_good, upload.rows_refused) == (2, 2, 0)
    upload = upload_commit_run(upload, ops_user)
    assert upload.status == UploadStatus.COMMITTED, upload.message
    jobs = list(Booking.objects.filter(tenant=tenant).order_by("number"))
    assert [(j.customer.code, j.customer_reference) for j in jobs] == [("ACME", "PO-00001"), ("BOLT", "PO-00002")]
    assert [j.number for j in jobs] == ["B000001", "B000002"]
    charges = [(c.description, c.unit_price, c.tax_code and c.tax_code.code) for c in jobs[1].charges.all()]
    assert charges == [("Linehaul", Decimal("450.00"), "GST"), ("Fuel levy", Decimal("12.50"), "FRE")]
    assert jobs[0].weight_kg == Decimal("120.50") and jobs[0].pieces == 2
    assert [(j.direction, j.container_number) for j in jobs] == [("export", ""), ("import", "MSCU1234567")]
    assert (upload.first_number, upload.last_number, upload.rows_created) == ("B000001", "B000002", 2)


def test_each_bad_cell_is_named_by_row_and_column(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    rows = [
        good_row(1),
        good_row(2, customer="NOPE"),
        good_row(3, pickup_date="31/02/2026"),
        good_row(4, delivery_date="2026-11-01"),
        good_row(5, pieces="2.5", weight_kg="-1"),
        good_row(6, charge1_unit_price="lots"),
        good_row(7, customer_reference="PO-00001"),
        good_row(8, customer_reference="x" * 256),
        good_row(9, status="invoiced"),
        booking_row(customer_reference="PO-X"),
        good_row(11, consignor_name="Acme\x07", pickup_date="0001-01-01", delivery_date=""),
        good_row(12, charge1_quantity="1000", charge1_unit_price="9999999.99"),
        good_row(13, charge1_unit_price="-10", charge2_description="Discount", charge2_unit_price="-5"),
    ]
    upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes(rows), name="bad.csv")
    assert upload.status == UploadStatus.CHECKED
    assert (upload.rows_total, upload.rows_good, upload.rows_refused) == (13, 1, 12)
    found = messages_of(upload)
    assert found[3] == ["Row 3, column Customer: no customer has the code or exact name 'NOPE'."]
    assert found[4] == [
        "Row 4, column Pickup date: '31/02/2026' is not a date; write 2026-03-02 or 2/3/2026 (day first)."
    ]
    assert found[5] == ["Row 5, column Delivery date: is before the pickup date."]
    assert found[6] == [
        "Row 6, column Pieces: must be a whole number.",
        "Row 6, column Weight kg: This cannot be negative.",
    ]
    assert found[7] == ["Row 7, column Charge 1 unit price: 'lots' is not a number."]
    assert found[8] == ["Row 8, column Customer ref: repeats row 2 for the same customer."]
    assert found[9] == ["Row 9, column Customer ref: is 256 characters long; at most 255 fit."]
    assert found[10][0].startswith("Row 10, column Status: 'invoiced' is not one of: draft, booked")
    assert found[11] == ["Row 11, column Customer: is required."]
    # The shared input rules (freighttracker.validators), as the job form applies them:
    assert found[12][0].startswith("Row 12, column Consignor name: Remove the invisible control character U+0007")
    assert found[12][1].startswith("Row 12, column Pickup date: Use a date between ")
    assert found[13] == [
        "Row 13, column Charge 1 unit price: Quantity × unit price is 9,999,999,990.00; "  # noqa: RUF001
        "a line can be at most 100,000,000.00."
    ]
    assert found[14][0].startswith("Row 14, column Charges: The charges would total -15.00.")
    assert not upload.can_commit


def test_existing_reference_is_an_error_unless_skipped(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    BookingFactory.create(tenant=tenant, customer=acme, customer_reference="PO-00002", number="B000123")
    upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes([good_row(1), good_row(2)]), name="x.csv")
    assert messages_of(upload) == {3: ["Row 3, column Customer ref: already exists for Acme Manufacturing as B000123."]}
    assert (upload.rows_good, upload.rows_refused, upload.rows_skipped) == (1, 1, 0)
    assert not upload.can_commit

    skipping = upload_run(
        tenant=tenant, user=ops_user, data=csv_bytes([good_row(1), good_row(2)]), name="x.csv", skip_existing=True
    )
    assert (skipping.rows_good, skipping.rows_refused, skipping.rows_skipped) == (1, 0, 1)
    upload_commit_run(skipping, ops_user)
    assert sorted(Booking.objects.values_list("customer_reference", flat=True)) == ["PO-00001", "PO-00002"]
