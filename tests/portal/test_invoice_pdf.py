"""Invoice PDFs in the portal (fpdf2): the customer's own invoices only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from customers.models import Customer
from invoicing.models import Invoice, InvoiceJob, InvoiceLine
from invoicing.pdf import invoice_pdf_render
from tenancy.models import Tenant
from tests.jobs.helpers import make_booking


def make_invoice(customer: Customer, number: str, status: str = "exported") -> Invoice:
    invoice = Invoice.objects.create(
        tenant=customer.tenant, customer=customer, number=number, due_date=dt.date(2027, 1, 31), currency="AUD",
        status=status, subtotal=Decimal("100.00"), tax_total=Decimal("10.00"), total=Decimal("110.00"),
    )  # fmt: skip
    job = make_booking(tenant=customer.tenant, customer=customer, status="invoiced", customer_reference="PO-Müller")
    ij = InvoiceJob.objects.create(invoice=invoice, booking=job, job_number=job.number, customer_reference="PO-Müller")
    InvoiceLine.objects.create(
        invoice=invoice, invoice_job=ij, description="Linehaul Sydney → Melbourne", quantity=Decimal("1"),
        unit_price=Decimal("100.00"), account_code="200", tax_code="GST", tax_rate=Decimal("10"),
        line_amount=Decimal("100.00"), tax_amount=Decimal("10.00"),
    )  # fmt: skip
    return invoice


def test_the_pdf_holds_the_invoice(customer: Customer) -> None:
    invoice = make_invoice(customer, "INV000042")
    pdf = invoice_pdf_render(invoice=invoice, compress=False)
    assert pdf.startswith(b"%PDF-")
    text = pdf.decode("latin-1")
    expected = ["Tax invoice INV000042", "Harbour Wholesale", "your reference PO-M\xfcller", "AUD 110.00"]
    expected.append("Linehaul Sydney ? Melbourne")  # beyond Latin-1: replaced, not an error
    for needle in expected:
        assert needle in text, needle


def test_customer_opens_own_invoice_pdf_and_nobody_elses(
    customer_client: Client, customer: Customer, sibling: Customer, other_tenant: Tenant, ops_client: Client
) -> None:
    ours = make_invoice(customer, "INV-OURS")
    page = customer_client.get(reverse("portal:invoices")).content.decode()
    url = reverse("portal:invoice_pdf", args=[ours.public_id])
    assert url in page
    response = customer_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")

    theirs = make_invoice(sibling, "INV-SIB")
    draft = make_invoice(customer, "INV-DRAFT", status="draft")
    for invoice in (theirs, draft):
        assert customer_client.get(reverse("portal:invoice_pdf", args=[invoice.public_id])).status_code == 404
    assert ops_client.get(url).status_code == 403
