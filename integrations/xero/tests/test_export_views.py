"""Export pages: roles, tenant isolation, the start button, live progress, history, mark exported."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.models import (
    AttemptOutcome,
    ExportAttempt,
    ExportRun,
    ExportRunStatus,
    ExportTrigger,
    XeroConnection,
)
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make
from invoicing.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def conn(tenant):
    from django.utils import timezone

    return XeroConnection.objects.create(
        tenant=tenant,
        xero_tenant_id=str(uuid.uuid4()),
        organisation_name="Org",
        access_token_encrypted="x",
        refresh_token_encrypted="x",
        access_token_expires_at=timezone.now(),
    )


@pytest.fixture
def invoices(tenant):
    customers = customers_bulk_make(tenant=tenant, count=2)
    return invoices_bulk_make(tenant=tenant, customers=customers, count=3)


@pytest.fixture
def run(tenant, invoices):
    r = ExportRun.objects.create(tenant=tenant, trigger=ExportTrigger.MANUAL, total_count=3)
    r.invoices.set(invoices)
    return r


def _pages(run, invoice):
    return [
        ("get", reverse("xero_export:history")),
        ("get", reverse("xero_export:run", args=[run.public_id])),
        ("get", reverse("xero_export:run_progress", args=[run.public_id])),
        ("get", reverse("xero_export:attempts", args=[run.public_id])),
    ]


def test_anonymous_is_sent_to_login(client: Client, run, invoices):
    for method, url in [*_pages(run, invoices[0]), ("post", reverse("xero_export:start"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_operations_role_is_refused(ops_client, run, invoices):
    for method, url in [
        *_pages(run, invoices[0]),
        ("post", reverse("xero_export:start")),
        ("post", reverse("xero_export:mark_exported", args=[invoices[0].public_id])),
    ]:
        assert getattr(ops_client, method)(url).status_code == 403, url


@pytest.mark.parametrize("who", ["admin_client_", "accounts_client"])
def test_invoice_roles_see_the_pages(request, who, run, invoices):
    client = request.getfixturevalue(who)
    for _method, url in _pages(run, invoices[0]):
        assert client.get(url).status_code == 200, url


def test_another_tenants_run_and_invoice_are_404(other_client, run, invoices):
    for _method, url in _pages(run, invoices[0])[1:]:
        assert other_client.get(url).status_code == 404, url
    url = reverse("xero_export:mark_exported", args=[invoices[0].public_id])
    assert other_client.post(url, {"reason": "x"}).status_code == 404
    assert Invoice.objects.get(pk=invoices[0].pk).status == InvoiceStatus.READY


def test_history_lists_only_this_tenants_runs(other_client, accounts_client, run):
    assert str(run.public_id) in accounts_client.get(reverse("xero_export:history")).content.decode()
    assert str(run.public_id) not in other_client.get(reverse("xero_export:history")).content.decode()


def test_start_selected_creates_a_run_and_redirects_to_it(
    accounts_client, conn, invoices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = accounts_client.post(
            reverse("xero_export:start"), {"invoice": [str(invoices[0].public_id), str(invoices[2].public_id)]}
        )
    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("xero_export:run", args=[run.public_id])
    assert set(run.invoices.values_list("id", flat=True)) == {invoices[0].id, invoices[2].id}
    assert run.trigger == ExportTrigger.MANUAL and run.requested_by is not None
    assert run.requested_by.email == "accounts@acme.example"
    assert len(callbacks) == 1


def test_start_all_takes_every_ready_invoice(admin_client_, conn, invoices, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        admin_client_.post(reverse("xero_export:start"), {"all": "1"})
    assert ExportRun.objects.get().total_count == 3


def test_start_ignores_another_tenants_invoices(other_client, invoices, other_tenant):
    XeroConnection.objects.create(
        tenant=other_tenant, xero_tenant_id="o", organisation_name="O", access_token_encrypted="x",
        refresh_token_encrypted="x", access_token_expires_at="2030-01-01T00:00Z",
    )  # fmt: skip
    response = other_client.post(reverse("xero_export:start"), {"invoice": [str(invoices[0].public_id)]})
    assert response.status_code == 302 and not ExportRun.objects.exists()


def test_start_without_connection_says_so(accounts_client, invoices):
    response = accounts_client.post(reverse("xero_export:start"), {"all": "1"}, follow=True)
    assert "not connected" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_progress_polls_while_running_and_stops_when_finished(accounts_client, run, invoices):
    url = reverse("xero_export:run_progress", args=[run.public_id])
    run.status = ExportRunStatus.RUNNING
    run.save()
    body = accounts_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body
    run.status = ExportRunStatus.FINISHED
    run.save()
    Invoice.objects.filter(pk=invoices[0].pk).update(status=InvoiceStatus.EXPORTED, xero_invoice_id="abc-123")
    Invoice.objects.filter(pk=invoices[1].pk).update(
        status=InvoiceStatus.EXPORT_FAILED, export_error="Account code '999' is not a valid code."
    )
    body = accounts_client.get(url).content.decode()
    assert "hx-trigger" not in body
    assert "abc-123" in body and "Open in Xero" in body
    assert "Account code &#x27;999&#x27; is not a valid code." in body


def test_attempts_page_shows_payload_and_answer(accounts_client, run, invoices):
    ExportAttempt.objects.create(
        run=run, invoice=invoices[0], idempotency_key="k-1", outcome=AttemptOutcome.EXPORTED,
        request_payload={"InvoiceNumber": invoices[0].number}, response_payload={"InvoiceID": "xid-42"},
    )  # fmt: skip
    body = accounts_client.get(reverse("xero_export:attempts", args=[run.public_id])).content.decode()
    assert "xid-42" in body and "k-1" in body and invoices[0].number in body


def test_admin_marks_a_failed_invoice_exported_with_a_reason(admin_client_, accounts_client, invoices):
    inv = invoices[0]
    Invoice.objects.filter(pk=inv.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_error="x")
    url = reverse("xero_export:mark_exported", args=[inv.public_id])
    assert accounts_client.post(url, {"reason": "typed in Xero"}).status_code == 403
    admin_client_.post(url, {"reason": "   "})
    assert Invoice.objects.get(pk=inv.pk).status == InvoiceStatus.EXPORT_FAILED
    admin_client_.post(url, {"reason": "Entered by hand in Xero", "xero_invoice_id": "abc"})
    assert Invoice.objects.get(pk=inv.pk).status == InvoiceStatus.EXPORT_FAILED  # not a Xero InvoiceID
    xero_id = "0f4ab3d2-5c8e-4d1a-9b7f-2e6c1a0d9e31"
    admin_client_.post(url, {"reason": "Entered by hand in Xero", "xero_invoice_id": xero_id})
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.EXPORTED and "Entered by hand in Xero" in inv.export_note
    assert inv.xero_invoice_id == xero_id
    assert ExportAttempt.objects.filter(invoice=inv, outcome=AttemptOutcome.EXPORTED).exists()


def test_mark_exported_requires_post(admin_client_, invoices):
    assert admin_client_.get(reverse("xero_export:mark_exported", args=[invoices[0].public_id])).status_code == 405


def test_export_history_is_in_the_invoicing_menu(accounts_client):
    assert reverse("xero_export:history") in accounts_client.get(reverse("invoicing:ready")).content.decode()
