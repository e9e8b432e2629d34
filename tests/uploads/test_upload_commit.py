"""All or nothing, numbering under concurrency, and the same file committed twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from bookings.models import Booking, BookingCharge
from bookings.services import booking_create
from customers.models import Customer
from tenancy.models import Sequence, Tenant, User
from tests.factories import BookingFactory, CustomerFactory, TenantFactory, UserFactory
from tests.uploads.helpers import csv_bytes, good_row, upload_commit_run, upload_run
from uploads.commit import upload_commit
from uploads.models import Upload, UploadRow, UploadStatus
from uploads.services import UploadActionError, upload_commit_request


@pytest.mark.django_db
def test_10001_rows_with_the_last_one_bad_writes_nothing(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    rows = [good_row(n) for n in range(1, 10001)] + [good_row(10001, pickup_date="not a date")]
    upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes(rows), name="big.csv")
    assert (upload.rows_total, upload.rows_good, upload.rows_refused) == (10001, 10000, 1)
    assert [r.line for r in UploadRow.objects.filter(upload=upload).exclude(errors=[])] == [10002]
    with pytest.raises(UploadActionError):
        upload_commit_request(upload=upload, user=ops_user, confirm_duplicate=False)
    assert not Booking.objects.exists() and not BookingCharge.objects.exists()


@pytest.mark.django_db
def test_a_conflict_found_at_commit_rolls_every_job_and_number_back(
    tenant: Tenant, ops_user: User, acme: Customer
) -> None:
    """All rows passed the check; then someone books the last row's reference before the commit."""
    rows = [good_row(n) for n in range(1, 2001)]
    upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes(rows), name="race.csv")
    assert upload.can_commit
    upload_commit_request(upload=upload, user=ops_user, confirm_duplicate=False)
    late = booking_create(tenant=tenant, customer=acme, customer_reference="PO-02000")
    upload_commit(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED
    assert "nothing was written" in upload.message
    assert list(Booking.objects.values_list("number", flat=True)) == [late.number]
    assert Sequence.objects.get(tenant=tenant, name="booking").last_value == 1  # no gap left behind
    assert (upload.rows_good, upload.rows_refused, upload.rows_existing) == (1999, 1, 1)
    assert UploadRow.objects.get(upload=upload, line=2001).existing_number == late.number


@pytest.mark.django_db
def test_the_same_file_committed_again_is_warned_about(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    data = csv_bytes([good_row(1)])
    first = upload_commit_run(upload_run(tenant=tenant, user=ops_user, data=data, name="a.csv"), ops_user)
    assert first.status == UploadStatus.COMMITTED
    # Same bytes under another name, with existing references skipped so that the rows are "good".
    again = upload_run(tenant=tenant, user=ops_user, data=data, name="copy.csv")
    assert again.sha256 == first.sha256
    Booking.objects.all().delete()  # even with the jobs gone, the file itself was committed once
    again = upload_run(tenant=tenant, user=ops_user, data=data, name="copy.csv")
    with pytest.raises(UploadActionError, match="The same file was committed before"):
        upload_commit_request(upload=again, user=ops_user, confirm_duplicate=False)
    upload_commit_run(again, ops_user, confirm_duplicate=True)
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_commits_and_single_bookings_keep_numbers_unique_and_gapless() -> None:
    """Real PostgreSQL, real threads: two uploads commit while bookings are created one by one."""
    tenant = TenantFactory.create(slug="conc")
    user = UserFactory.create(tenant=tenant)
    customer = CustomerFactory.create(tenant=tenant, code="ACME")
    uploads = [
        upload_run(
            tenant=tenant, user=user, data=csv_bytes([good_row(n + 1000 * k) for n in range(300)]), name=f"{k}.csv"
        )
        for k in range(2)
    ]
    for upload in uploads:
        upload_commit_request(upload=upload, user=user, confirm_duplicate=False)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(target: Any) -> None:
        try:
            start.wait(timeout=30)
            target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def singles() -> None:
        for n in range(20):
            booking_create(tenant=tenant, customer=customer, customer_reference=f"single-{n}")

    threads = [threading.Thread(target=run, args=(lambda u=u: upload_commit(upload_id=u.pk),)) for u in uploads]
    threads += [threading.Thread(target=run, args=(singles,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert [Upload.objects.get(pk=u.pk).status for u in uploads] == [UploadStatus.COMMITTED] * 2
    numbers = sorted(Booking.objects.filter(tenant=tenant).values_list("number", flat=True))
    assert numbers == [f"B{n:06d}" for n in range(1, 641)]
    for upload in uploads:
        upload.refresh_from_db()
        block = list(UploadRow.objects.filter(upload=upload).order_by("line").values_list("job_number", flat=True))
        assert block == [f"B{n:06d}" for n in range(int(block[0][1:]), int(block[0][1:]) + 300)], "one block each"


@pytest.mark.django_db
def test_booking_reference_of_other_customer_or_tenant_is_not_a_clash(
    tenant: Tenant, other_tenant: Tenant, ops_user: User, acme: Customer, bolt: Customer
) -> None:
    BookingFactory.create(tenant=tenant, customer=bolt, customer_reference="PO-00001")
    BookingFactory.create(tenant=other_tenant, customer_reference="PO-00001")
    upload = upload_run(tenant=tenant, user=ops_user, data=csv_bytes([good_row(1)]), name="a.csv")
    assert (upload.rows_good, upload.rows_refused) == (1, 0)


@pytest.mark.django_db
def test_a_check_already_running_elsewhere_is_not_started_twice(tenant: Tenant, ops_user: User, acme: Customer) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections

    from uploads.services import CHECK_LOCK_NAMESPACE, upload_check, upload_create

    upload = upload_create(
        tenant=tenant, user=ops_user, kind="booking", file=SimpleUploadedFile("a.csv", csv_bytes([good_row(1)])),
        skip_existing=False,
    )  # fmt: skip
    other = connections.create_connection("default")  # another worker, busy checking this upload
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [CHECK_LOCK_NAMESPACE, upload.pk])
        upload_check(upload_id=upload.pk)
        upload.refresh_from_db()
        assert (upload.status, upload.rows.count()) == (UploadStatus.QUEUED, 0)
    finally:
        with other.cursor() as cursor:  # released explicitly: a closing session lets go a moment later
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CHECK_LOCK_NAMESPACE, upload.pk])
        other.close()
    upload_check(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.rows_total) == (UploadStatus.CHECKED, 1)
