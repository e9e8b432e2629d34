"""Ready to Export and the invoice page tell the truth about failed exports (issue 8, section 3)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from invoicing.models import Invoice, InvoiceStatus
from invoicing.problems import export_problems_group
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Tenant
from tests.invoicing.conftest import booking_with_charges
from tests.invoicing.test_views import edit_payload

pytestmark = pytest.mark.django_db

EIGHT_TIMES = "; ".join(["Account code '210' is not a valid code for this document."] * 8)


def _raise(customer: Customer, tenant: Tenant, count: int, *, lines: int = 1) -> list[Invoice]:
    out = []
    for n in range(count):
        booking = booking_with_charges(customer, *[("1", "10", "GST")] * lines, reference=f"PO-{n}")
        out += invoice_raise_for_jobs(tenant=tenant, jobs=[booking], mark_ready=True)
    return out


def _fail(invoice: Invoice, error: str = EIGHT_TIMES, *, account: str = "210") -> None:
    invoice.lines.update(account_code=account)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_error=error)


def test_export_all_button_says_how_many_are_ready_and_how_many_failed_are_retried(
    accounts_client: Client, per_job_customer: Customer, tenant: Tenant
) -> None:
    invoices = _raise(per_job_customer, tenant, 4)
    _fail(invoices[0])

    body = accounts_client.get(reverse("invoicing:ready")).content.decode()

    assert "Export all 3 ready · retry 1 failed" in body
    assert "Export all 4<" not in body


def test_export_all_with_only_failed_invoices_offers_to_retry_them(
    accounts_client: Client, per_job_customer: Customer, tenant: Tenant
) -> None:
    for inv in _raise(per_job_customer, tenant, 2):
        _fail(inv)

    body = accounts_client.get(reverse("invoicing:ready")).content.decode()

    assert "Retry 2 failed" in body
    assert "Export all" not in body


def test_a_failed_invoice_shows_xeros_reason_once_on_its_ready_to_export_row(
    accounts_client: Client, per_job_customer: Customer, tenant: Tenant
) -> None:
    [invoice] = _raise(per_job_customer, tenant, 1, lines=8)
    _fail(invoice)

    body = accounts_client.get(reverse("invoicing:ready")).content.decode()

    row = body.split(f'<tr class="export-failure" data-invoice="{invoice.number}">', 1)[1].split("</tr>", 1)[0]
    assert row.count("is not a valid code for this document") == 1
    assert "lines 1-8" in row
    assert reverse("invoicing:edit", args=[invoice.public_id]) in row


def test_invoice_page_shows_each_xero_message_once_with_its_lines(
    accounts_client: Client, per_job_customer: Customer, tenant: Tenant
) -> None:
    [invoice] = _raise(per_job_customer, tenant, 1, lines=3)
    invoice.lines.filter(position=1).update(account_code="200")
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_error=EIGHT_TIMES)
    invoice.lines.exclude(position=1).update(account_code="210")

    body = accounts_client.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()

    assert body.count("<li>Account code &#x27;210&#x27; is not a valid code for this document.") == 1
    assert "(lines 1, 3)" in body
    assert "is not a valid code for this document.; Account code" not in body  # not in a tooltip either


def test_editing_a_failed_invoice_removes_the_old_xero_refusal(
    accounts_client: Client, per_job_customer: Customer, tenant: Tenant
) -> None:
    [invoice] = _raise(per_job_customer, tenant, 1)
    _fail(invoice)
    detail = reverse("invoicing:detail", args=[invoice.public_id])
    assert "Xero did not accept" in accounts_client.get(detail).content.decode()

    response = accounts_client.post(reverse("invoicing:edit", args=[invoice.public_id]), edit_payload(invoice))

    assert response.status_code == 302
    body = accounts_client.get(detail).content.decode()
    assert "Xero did not accept" not in body
    assert "is not a valid code" not in body
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY and invoice.export_error == ""


def test_messages_without_a_quoted_value_are_kept_once_without_lines() -> None:
    problems = export_problems_group(
        text="Reference is too long.; Reference is too long.\nAccount code '9' is not valid.",
        lines=[{"account_code": "9"}, {"account_code": "200"}],
    )
    assert [(p.text, p.lines_label) for p in problems] == [
        ("Reference is too long.", ""),
        ("Account code '9' is not valid.", "line 1"),
    ]
