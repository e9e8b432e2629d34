"""Invoicing pages: who may see them, what they show, what their forms do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from bookings.models import BookingStatus
from customers.models import Customer
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import invoice_raise_for_jobs
from tenancy.models import Tenant
from tests.invoicing.conftest import booking_with_charges, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(per_job_customer: Customer, tenant: Tenant) -> Invoice:
    booking = booking_with_charges(per_job_customer, ("2", "50.00", "GST"), reference="PO-48213")
    [raised] = invoice_raise_for_jobs(tenant=tenant, jobs=[booking], mark_ready=True)
    return raised


def page_urls(invoice: Invoice) -> list[str]:
    return [
        reverse("invoicing:ready"),
        reverse("invoicing:list"),
        reverse("invoicing:raise"),
        reverse("invoicing:detail", args=[invoice.public_id]),
        reverse("invoicing:edit", args=[invoice.public_id]),
    ]


def action_urls(invoice: Invoice) -> list[str]:
    return [
        reverse("invoicing:mark_ready", args=[invoice.public_id]),
        reverse("invoicing:mark_draft", args=[invoice.public_id]),
        reverse("invoicing:void", args=[invoice.public_id]),
    ]


def messages_of(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_client_", "accounts_client"])
def test_admin_and_accounts_open_every_invoicing_page(
    who: str, invoice: Invoice, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(who)
    for url in page_urls(invoice):
        response = client.get(url)
        assert response.status_code == 200, url


def test_operations_staff_get_403_on_every_invoicing_page_and_action(ops_client: Client, invoice: Invoice) -> None:
    for url in page_urls(invoice):
        assert ops_client.get(url).status_code == 403, url
    for url in [*action_urls(invoice), reverse("invoicing:raise")]:
        assert ops_client.post(url).status_code == 403, url
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY


def test_another_tenant_gets_404_on_invoice_pages_and_actions(other_client: Client, invoice: Invoice) -> None:
    for url in page_urls(invoice)[3:] + action_urls(invoice):
        method = other_client.get if "edit" in url or url.endswith(f"{invoice.public_id}/") else other_client.post
        assert method(url).status_code == 404, url
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY


def test_another_tenant_lists_do_not_show_our_invoices_or_jobs(other_client: Client, invoice: Invoice) -> None:
    job_number = invoice.invoice_jobs.get().job_number
    for url in page_urls(invoice)[:3]:
        response = other_client.get(url)
        assert response.status_code == 200
        assert invoice.number not in response.content.decode()
        assert job_number not in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client: Client, invoice: Invoice) -> None:
    for url in page_urls(invoice) + action_urls(invoice):
        response = client.post(url) if url in action_urls(invoice) else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


# --- Ready to Export -------------------------------------------------------------------------


def test_ready_page_lists_ready_and_failed_invoices_with_jobs_references_and_totals(
    accounts_client: Client, invoice: Invoice, per_job_customer: Customer, tenant: Tenant
) -> None:
    failed_job = booking_with_charges(per_job_customer, ("1", "10", "GST"), reference="JOB/2026/0042")
    draft_job = booking_with_charges(per_job_customer, ("1", "10", "GST"), reference="WO 7781-A")
    [failed] = invoice_raise_for_jobs(tenant=tenant, jobs=[failed_job])
    [draft] = invoice_raise_for_jobs(tenant=tenant, jobs=[draft_job])
    Invoice.objects.filter(pk=failed.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_error="Contact missing")

    body = accounts_client.get(reverse("invoicing:ready")).content.decode()

    assert f'action="{reverse("xero_export:start")}"' in body
    assert f'name="invoice" value="{invoice.public_id}"' in body
    assert f'name="invoice" value="{failed.public_id}"' in body
    assert 'id="select-all"' in body
    assert 'name="all" value="1"' in body
    assert invoice.invoice_jobs.get().job_number in body
    assert "PO-48213" in body and "JOB/2026/0042" in body
    assert "AUD 110.00" in body
    assert "Export failed" in body
    assert draft.number not in body and "WO 7781-A" not in body


def test_ready_page_shows_an_empty_state(admin_client_: Client) -> None:
    body = admin_client_.get(reverse("invoicing:ready")).content.decode()
    assert "Nothing waiting for export" in body


# --- All invoices ----------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["PO-48213", "po-482", "Per Job Pty", "INV-000001"])
def test_list_search_finds_by_reference_customer_and_number(
    accounts_client: Client, invoice: Invoice, per_job_customer: Customer, term: str
) -> None:
    other = booking_with_charges(make_customer(tenant=invoice.tenant, name="Zed Ltd"), ("1", "1", "GST"), reference="X")
    [other_invoice] = invoice_raise_for_jobs(tenant=invoice.tenant, jobs=[other])

    body = accounts_client.get(reverse("invoicing:list"), {"q": term}).content.decode()

    assert invoice.number in body
    assert other_invoice.number not in body


def test_list_filters_by_status(accounts_client: Client, invoice: Invoice, per_job_customer: Customer) -> None:
    draft_job = booking_with_charges(per_job_customer, ("1", "1", "GST"))
    [draft] = invoice_raise_for_jobs(tenant=invoice.tenant, jobs=[draft_job])

    body = accounts_client.get(reverse("invoicing:list"), {"status": "draft"}).content.decode()

    assert draft.number in body
    assert invoice.number not in body


# --- Detail and actions ----------------------------------------------------------------------


def test_detail_groups_lines_under_their_job_and_shows_totals_and_export_error(
    admin_client_: Client, invoice: Invoice
) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.EXPORT_FAILED, export_error="Account code '999' is not a valid code.; TaxType is invalid."
    )
    body = admin_client_.get(reverse("invoicing:detail", args=[invoice.public_id])).content.decode()

    assert invoice.invoice_jobs.get().job_number in body
    assert "PO-48213" in body
    assert "Charge 1" in body
    assert "100.00" in body and "10.00" in body and "110.00" in body
    assert "<li>Account code &#x27;999&#x27; is not a valid code.</li><li>TaxType is invalid.</li>" in body
    assert reverse("invoicing:void", args=[invoice.public_id]) in body


def test_mark_ready_and_void_actions_change_status_with_a_message(accounts_client: Client, invoice: Invoice) -> None:
    response = accounts_client.post(reverse("invoicing:mark_draft", args=[invoice.public_id]))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT

    accounts_client.post(reverse("invoicing:mark_ready", args=[invoice.public_id]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.READY

    response = accounts_client.post(reverse("invoicing:void", args=[invoice.public_id]), follow=True)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert any("voided" in m for m in messages_of(response))
    booking = invoice.invoice_jobs.get().booking
    assert booking is not None and booking.status == BookingStatus.COMPLETED


def test_void_of_an_exported_invoice_is_refused_with_a_message(admin_client_: Client, invoice: Invoice) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORTED)
    response = admin_client_.post(reverse("invoicing:void", args=[invoice.public_id]), follow=True)
    assert any("cannot be voided" in m for m in messages_of(response))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.EXPORTED


def test_actions_refuse_get(admin_client_: Client, invoice: Invoice) -> None:
    for url in action_urls(invoice):
        assert admin_client_.get(url).status_code == 405


# --- Edit ------------------------------------------------------------------------------------


def edit_payload(invoice: Invoice, **line: str) -> dict[str, str]:
    only = invoice.lines.get()
    data = {
        "date": invoice.date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "notes": "Deliver invoice to AP",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-line_id": str(only.pk),
        "lines-0-description": "Linehaul SYD-MEL",
        "lines-0-quantity": "3",
        "lines-0-unit_price": "50.00",
        "lines-0-account_code": "200",
        "lines-0-tax_code": str(invoice.tenant.tax_codes.get(code="GST").pk),
    }
    data.update({f"lines-0-{k}": v for k, v in line.items()})
    return data


def test_edit_saves_lines_and_recomputes_totals(accounts_client: Client, invoice: Invoice) -> None:
    response = accounts_client.post(reverse("invoicing:edit", args=[invoice.public_id]), edit_payload(invoice))

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        Decimal("150.00"),
        Decimal("15.00"),
        Decimal("165.00"),
    )
    assert invoice.notes == "Deliver invoice to AP"
    assert invoice.status == InvoiceStatus.READY
    assert invoice.lines.get().description == "Linehaul SYD-MEL"


def test_edit_shows_form_errors_and_saves_nothing(accounts_client: Client, invoice: Invoice) -> None:
    response = accounts_client.post(
        reverse("invoicing:edit", args=[invoice.public_id]), edit_payload(invoice, quantity="0")
    )
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.total == Decimal("110.00")


@pytest.mark.parametrize("status", [InvoiceStatus.EXPORTING, InvoiceStatus.EXPORTED, InvoiceStatus.VOID])
def test_edit_of_a_frozen_invoice_redirects_with_an_explanation(
    accounts_client: Client, invoice: Invoice, status: str
) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    url = reverse("invoicing:edit", args=[invoice.public_id])
    for response in (
        accounts_client.get(url, follow=True),
        accounts_client.post(url, edit_payload(invoice), follow=True),
    ):
        assert any("cannot be edited" in m for m in messages_of(response))
    invoice.refresh_from_db()
    assert invoice.total == Decimal("110.00")


# --- Raise -----------------------------------------------------------------------------------


def test_raise_page_groups_completed_jobs_by_customer_with_their_rule(
    admin_client_: Client, per_job_customer: Customer, consolidated_customer: Customer
) -> None:
    a = booking_with_charges(per_job_customer, ("1", "10", "GST"), reference="PO-1")
    b = booking_with_charges(consolidated_customer, ("1", "10", "GST"), reference="PO-2")

    body = admin_client_.get(reverse("invoicing:raise")).content.decode()

    assert per_job_customer.name in body and consolidated_customer.name in body
    assert f'value="b:{a.pk}"' in body and f'value="b:{b.pk}"' in body
    assert "Consolidated" in body and "One invoice per job" in body
    assert 'name="mark_ready" role="switch" checked' in body


def test_raise_selected_jobs_and_customers_marks_them_ready(
    accounts_client: Client, per_job_customer: Customer, consolidated_customer: Customer
) -> None:
    a = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    booking_with_charges(per_job_customer, ("1", "10", "GST"))  # not selected
    for _ in range(3):
        booking_with_charges(consolidated_customer, ("1", "10", "GST"))

    response = accounts_client.post(
        reverse("invoicing:raise"),
        {"job": [f"b:{a.pk}"], "customer": [str(consolidated_customer.pk)], "mark_ready": "on"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("invoicing:ready")
    assert "Raised 2 invoices covering 4 jobs (1 consolidated), now in Ready to Export." in messages_of(response)
    assert Invoice.objects.filter(status=InvoiceStatus.READY).count() == 2


def test_raise_without_mark_ready_creates_drafts(accounts_client: Client, per_job_customer: Customer) -> None:
    a = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    response = accounts_client.post(reverse("invoicing:raise"), {"job": [f"b:{a.pk}"]}, follow=True)
    assert "Raised 1 invoice covering 1 job, now in drafts." in messages_of(response)
    assert Invoice.objects.get().status == InvoiceStatus.DRAFT


def test_raise_with_nothing_selected_explains_itself(accounts_client: Client, per_job_customer: Customer) -> None:
    booking_with_charges(per_job_customer, ("1", "10", "GST"))
    response = accounts_client.post(reverse("invoicing:raise"), {"mark_ready": "on"})
    assert response.status_code == 200
    assert any("Select at least one" in m for m in messages_of(response))
    assert not Invoice.objects.exists()


def test_raise_cannot_reach_another_tenants_jobs(
    accounts_client: Client, other_tenant: Tenant, per_job_customer: Customer
) -> None:
    theirs = booking_with_charges(make_customer(tenant=other_tenant), ("1", "10", "GST"))
    accounts_client.post(reverse("invoicing:raise"), {"job": [f"b:{theirs.pk}"]})
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.COMPLETED
    assert not Invoice.objects.exists()


def test_raise_from_a_stale_page_reports_jobs_invoiced_meanwhile_as_skipped(
    accounts_client: Client, per_job_customer: Customer, tenant: Tenant
) -> None:
    stale = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    fresh = booking_with_charges(per_job_customer, ("1", "10", "GST"))
    invoice_raise_for_jobs(tenant=tenant, jobs=[stale])  # someone else got there first

    response = accounts_client.post(
        reverse("invoicing:raise"), {"job": [f"b:{stale.pk}", f"b:{fresh.pk}"], "mark_ready": "on"}, follow=True
    )

    found = messages_of(response)
    assert "Raised 1 invoice covering 1 job, now in Ready to Export." in found
    assert "1 selected job was skipped: already invoiced by someone else, or without charges." in found
    assert Invoice.objects.count() == 2


@pytest.mark.parametrize("query", ["?status=bogus", "?page=999", "?page=x&q=%00"])
def test_lists_survive_odd_query_strings(accounts_client: Client, invoice: Invoice, query: str) -> None:
    for name in ("invoicing:ready", "invoicing:list"):
        assert accounts_client.get(reverse(name) + query).status_code == 200


def test_django_admin_shows_invoices_with_their_jobs_and_lines(invoice: Invoice, tenant: Tenant) -> None:
    from tenancy.models import User

    superuser = User.objects.create_superuser("root@example.com", "pw")
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:invoicing_invoice_changelist")).status_code == 200
    body = client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])).content.decode()
    assert "PO-48213" in body and "Charge 1" in body


def test_raise_with_garbage_ids_does_not_echo_them(accounts_client: Client, per_job_customer: Customer) -> None:
    response = accounts_client.post(reverse("invoicing:raise"), {"job": ["x-secret-value"], "customer": ["abc"]})
    assert response.status_code == 200
    assert "x-secret-value" not in response.content.decode()
    assert any("not understood" in m for m in messages_of(response))


def test_ready_page_says_how_many_invoices_are_being_exported(accounts_client: Client, invoice: Invoice) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORTING)
    body = accounts_client.get(reverse("invoicing:ready")).content.decode()
    assert "1 invoice is being exported to Xero now." in body
    assert f'value="{invoice.public_id}"' not in body
