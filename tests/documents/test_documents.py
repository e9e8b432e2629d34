"""Documents and PODs: staff attach, the customer downloads; hostile uploads are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from documents.models import Document
from tenancy.models import Role, Tenant, User
from tests.documents.files import EXE, HTML, PDF, PNG, docx, docx_bomb
from tests.factories import UserFactory
from tests.jobs.helpers import make_booking, make_customer, make_warehouse_job


@pytest.fixture
def customer(tenant: Tenant) -> Customer:
    return make_customer(tenant=tenant, name="Harbour Wholesale")


@pytest.fixture
def customer_client(customer: Customer) -> Client:
    client = Client()
    client.force_login(cast(User, UserFactory(tenant=customer.tenant, role=Role.CUSTOMER, customer=customer)))
    return client


def upload(client: Client, job: Any, name: str, content: bytes, kind: str = "pod") -> Any:
    namespace = "booking_upload" if job._meta.model_name == "booking" else "warehouse_upload"
    file = SimpleUploadedFile(name, content, content_type="application/pdf")  # the browser's claim is ignored
    return client.post(reverse(f"documents:{namespace}", args=[job.pk]), {"kind": kind, "file": file}, follow=True)


def test_staff_attach_a_pod_and_the_customer_downloads_it(
    ops_client: Client, customer: Customer, customer_client: Client, media_root: Path
) -> None:
    job = make_booking(tenant=customer.tenant, customer=customer, status="delivered")
    response = upload(ops_client, job, "POD signed.pdf", PDF)
    assert "attached" in response.content.decode()
    document = Document.objects.get()
    assert (document.original_name, document.content_type, document.size) == (
        "POD signed.pdf",
        "application/pdf",
        len(PDF),
    )
    key = str(document.file.name)
    assert key.startswith(f"documents/{customer.tenant_id}/") and "POD" not in key
    assert (media_root / key).read_bytes() == PDF

    page = customer_client.get(reverse("portal:booking", args=[job.pk])).content.decode()
    url = reverse("portal:document", args=[document.public_id])
    assert url in page and "POD signed.pdf" in page
    download = customer_client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    staff = ops_client.get(reverse("documents:download", args=[document.public_id]))
    assert staff.status_code == 200


def test_images_and_office_files_are_accepted(ops_client: Client, customer: Customer) -> None:
    job = make_warehouse_job(tenant=customer.tenant, customer=customer)
    upload(ops_client, job, "photo.png", PNG, kind="photo")
    upload(ops_client, job, "con note.docx", docx(), kind="consignment_note")
    assert sorted(Document.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", EXE, "not accepted"),  # a program named like a PDF
        ("pod.pdf", HTML, "not accepted"),  # a web page named like a PDF
        ("pod.docx", docx_bomb(), "zip bomb"),
        (".htaccess", PDF, "name is not allowed"),
        ("pod.pdf", b"", "empty"),
    ],
)
def test_hostile_uploads_are_refused(
    ops_client: Client, customer: Customer, name: str, content: bytes, message: str
) -> None:
    job = make_booking(tenant=customer.tenant, customer=customer)
    response = upload(ops_client, job, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_a_file_over_the_size_limit_is_refused(ops_client: Client, customer: Customer, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    job = make_booking(tenant=customer.tenant, customer=customer)
    response = upload(ops_client, job, "big.pdf", PDF + b"\x00" * (1024 * 1024))
    assert "larger than 1 MB" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("name", ["../../../etc/cron.d/pod.pdf", "..\\..\\windows\\pod.pdf", "pod\x07.pdf"])
def test_a_path_in_the_name_never_chooses_where_the_file_goes(
    ops_client: Client, customer: Customer, name: str
) -> None:
    job = make_booking(tenant=customer.tenant, customer=customer)
    upload(ops_client, job, name, PDF)
    document = Document.objects.get()
    assert document.original_name == "pod.pdf"  # Django's multipart parser drops directories and control characters
    assert ".." not in str(document.file.name) and "etc" not in str(document.file.name)


@pytest.mark.parametrize(
    "name", ["..\\..\\evil.pdf", "../evil.pdf", "..", ".htaccess", "pod\x07.pdf", "pod\u202egnp.pdf", "x" * 151, ""]
)
def test_the_service_refuses_path_tricks_whoever_calls_it(name: str) -> None:
    from django.core.exceptions import ValidationError

    from documents.checks import upload_name_check

    with pytest.raises(ValidationError):
        upload_name_check(name)


def test_nobody_else_can_download(
    ops_client: Client, customer: Customer, customer_client: Client, other_client: Client, tenant: Tenant
) -> None:
    sibling_job = make_booking(tenant=tenant, customer=make_customer(tenant=tenant), status="delivered")
    upload(ops_client, sibling_job, "sibling pod.pdf", PDF)
    document = Document.objects.get()
    assert customer_client.get(reverse("portal:document", args=[document.public_id])).status_code == 404
    assert customer_client.get(reverse("documents:download", args=[document.public_id])).status_code == 403
    assert other_client.get(reverse("documents:download", args=[document.public_id])).status_code == 404
    assert Client().get(reverse("portal:document", args=[document.public_id])).status_code == 302
    other_job = make_booking(tenant=make_customer(tenant=tenant).tenant)
    assert (
        other_client.post(reverse("documents:booking_upload", args=[other_job.pk]), {"kind": "pod"}).status_code == 404
    )
