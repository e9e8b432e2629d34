"""The customer portal in a real browser, with a real Celery worker delivering the outbox's mail to
a real SMTP server (aiosmtpd) started by the test (issue 12, acceptance 1-5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from documents.services import document_attach
from invoicing.models import Invoice
from tenancy.models import Role, Tenant, User
from tests.documents.files import PDF
from tests.e2e.conftest import Shots, Worker, login
from tests.factories import TenantFactory, UserFactory
from tests.jobs.helpers import make_booking, make_customer, make_warehouse_job
from tests.smtp import Inbox, smtp_server
from tracking.models import StatusEvent

__all__ = ["smtp_server"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


@pytest.fixture
def mail_worker(transactional_db: None, live_server: Any, smtp_server: Inbox, settings: Any) -> Iterator[Worker]:
    """A real Celery worker whose outbox delivers to the test's SMTP server."""
    settings.SITE_URL = live_server.url
    worker = Worker(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp_server.host,
            "EMAIL_PORT": str(smtp_server.port),
            "SITE_URL": live_server.url,
        }
    )
    worker.broker_use()
    try:
        yield worker.start()
    finally:
        worker.stop()
        worker.broker_restore()


@pytest.fixture
def acme() -> dict[str, Any]:
    tenant = cast(Tenant, TenantFactory(name="Acme Freight", slug="acme", notes_email="desk@acme.example"))
    ops = cast(User, UserFactory(tenant=tenant, role=Role.OPERATIONS, email="ops@acme.example"))
    harbour = make_customer(tenant=tenant, name="Harbour Wholesale", code="HARB")
    sibling = make_customer(tenant=tenant, name="Sibling Traders", code="SIBL")
    jobs: dict[str, Any] = {
        "import": make_booking(tenant=tenant, customer=harbour, status="in_transit", direction="import",
                               customer_reference="HARB-PO-IMPORT", container_number="MSKU7654321"),
        "export": make_warehouse_job(tenant=tenant, customer=harbour, status="booked", direction="export",
                                     customer_reference="HARB-PO-EXPORT"),
        "done": make_booking(tenant=tenant, customer=harbour, status="completed", customer_reference="HARB-PO-DONE"),
        "sibling": make_booking(tenant=tenant, customer=sibling, status="in_transit", customer_reference="SIB-PO-1"),
    }  # fmt: skip
    StatusEvent.objects.create(tenant=tenant, booking=jobs["import"], code="in_transit", location="Port Botany")
    document_attach(job=jobs["import"], upload=SimpleUploadedFile("POD signed.pdf", PDF), kind="pod", user=ops)
    invoice = Invoice.objects.create(tenant=tenant, customer=harbour, number="INV000007", due_date="2027-01-31",
                                     currency="AUD", status="exported", total="110.00")  # fmt: skip
    return {"tenant": tenant, "ops": ops, "customer": harbour, "jobs": jobs, "invoice": invoice}


def _link_in(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/invite/\S+/\S+/)", Inbox.text(message))
    assert found, Inbox.text(message)
    return found.group(1)


def test_invite_portal_note_and_reply(
    page: Any, browser: Any, live_server: Any, mail_worker: Worker, smtp_server: Inbox, acme: dict[str, Any]
) -> None:
    customer: Customer = acme["customer"]
    jobs = acme["jobs"]

    # 1. Staff invite a customer user; the invitation arrives over SMTP.
    login(page, "ops@acme.example")
    page.goto(f"/customers/{customer.pk}/")
    page.fill("#portal-users input[name=email]", "pat@harbour.example")
    page.fill("#portal-users input[name=full_name]", "Pat Buyer")
    page.click("#portal-users button[type=submit]")
    page.get_by_text("Invitation sent to pat@harbour.example").wait_for()
    (invitation,) = smtp_server.wait_for(1)
    assert smtp_server.rcpt[0] == ["pat@harbour.example"]

    # 2. The customer sets a password, sees only their open jobs split into imports and exports,
    #    searches by their reference, opens the job, downloads the POD and opens an invoice PDF.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="en-AU")
    phone = context.new_page()
    phone.goto(_link_in(invitation))
    phone.fill("input[name=new_password1]", "Harbour-pass-2026")
    phone.fill("input[name=new_password2]", "Harbour-pass-2026")
    phone.click("button[type=submit]")
    login(phone, "pat@harbour.example", "Harbour-pass-2026")
    assert phone.url.rstrip("/").endswith("/portal")
    imports, exports = phone.locator("#imports"), phone.locator("#exports")
    assert jobs["import"].number in imports.inner_text() and jobs["export"].number in exports.inner_text()
    body = phone.content()
    assert jobs["done"].number not in body and "SIB-PO-1" not in body and jobs["sibling"].number not in body
    Shots(phone, "test_portal_phone")("portal-home", readme="portal-home")

    phone.fill("input[name=q]", "HARB-PO-IMP")
    phone.press("input[name=q]", "Enter")
    phone.get_by_role("link", name=jobs["import"].number).click()
    phone.get_by_text("Port Botany").wait_for()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="POD signed.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "POD signed.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read() == PDF

    phone.goto("/portal/invoices/")
    pdf = phone.request.get(phone.get_by_role("link", name="PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")

    # 3. The customer leaves a note: the tenant's e-mail arrives and the staff list shows the icon.
    phone.goto(f"/portal/bookings/{jobs['import'].pk}/")
    phone.fill("textarea[name=body]", "Can you deliver before 10am?")
    phone.click("#notes button[type=submit]")
    phone.get_by_text("Note sent").wait_for()
    to_staff = smtp_server.wait_for(2)[1]
    assert smtp_server.rcpt[1] == ["desk@acme.example"]
    assert f"/bookings/{jobs['import'].pk}/" in Inbox.text(to_staff)
    page.goto("/bookings/")
    row = page.locator("tr", has_text=jobs["import"].number)
    assert row.get_by_role("img", name="Unread customer note").is_visible()
    page.shots("staff-list-unread-note")

    # 4. Staff reply: the customer's e-mail arrives.
    page.goto(f"/bookings/{jobs['import'].pk}/")
    page.get_by_text("Can you deliver before 10am?").wait_for()
    page.fill("#notes textarea[name=body]", "Yes, booked for 8:30.")
    page.click("#notes button[type=submit]")
    to_customer = smtp_server.wait_for(3)[2]
    assert smtp_server.rcpt[2] == ["pat@harbour.example"]
    assert "Yes, booked for 8:30." in Inbox.text(to_customer)
    assert f"/portal/bookings/{jobs['import'].pk}/" in Inbox.text(to_customer)
    context.close()


def test_public_tracking_link_shows_the_timeline_and_stops_once_revoked(
    page: Any, browser: Any, live_server: Any, acme: dict[str, Any], settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    job = acme["jobs"]["import"]
    job.charges.create(description="Linehaul", quantity=1, unit_price="987.65")
    login(page, "ops@acme.example")
    page.goto(f"/bookings/{job.pk}/")
    page.get_by_text("Public tracking link").click()
    page.click("text=Make a tracking link")
    url = page.locator(".tracking-link input").first.input_value()
    assert url.startswith(live_server.url + "/t/")

    consignee = browser.new_context().new_page()
    consignee.goto(url)
    text = consignee.inner_text("body")
    assert job.number in text and "In transit" in text and "Port Botany" in text
    assert "987.65" not in text and "POD" not in text and "HARB-PO-IMPORT" not in text
    page.shots("tracking-link")

    page.click(".tracking-link button:has-text('Revoke')")
    page.get_by_text("Tracking link revoked").wait_for()
    assert consignee.goto(url).status == 404
    consignee.context.close()
