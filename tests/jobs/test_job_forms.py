"""Creating and editing bookings and warehouse jobs through their forms, charges included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tenancy.models import TaxCode, Tenant
from tests.jobs.helpers import KINDS, JobKind, job_form_data, make_customer

pytestmark = pytest.mark.parametrize("kind", KINDS, ids=str)


def _charge(description: str, quantity: str, price: str, tax: TaxCode | None, **extra: object) -> dict[str, object]:
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "account_code": "",
        "tax_code": tax.pk if tax else "",
        **extra,
    }


def test_create_saves_job_number_and_charges_in_order(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    gst = TaxCode.objects.get(tenant=tenant, code="GST")
    data = job_form_data(
        kind,
        customer=customer,
        customer_reference="PO-7781",
        charges=[_charge("Linehaul", "2", "150.00", gst, account_code="210"), _charge("Fuel levy", "1", "12.35", None)],
    )
    response = ops_client.post(reverse(f"{kind.namespace}:create"), data)

    job = kind.model._default_manager.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(f"{kind.namespace}:detail", args=[job.pk])
    assert job.number == f"{kind.prefix}000001"
    assert job.tenant == tenant and job.customer == customer and job.customer_reference == "PO-7781"
    charges = list(job.charges.order_by("position"))
    assert [(c.description, c.quantity, c.unit_price, c.account_code, c.tax_code) for c in charges] == [
        ("Linehaul", Decimal("2"), Decimal("150.00"), "210", gst),
        ("Fuel levy", Decimal("1"), Decimal("12.35"), "", None),
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{kind.model._meta.verbose_name.capitalize()} {job.number} created."
    ]


def test_blank_extra_charge_row_is_ignored(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    gst = TaxCode.objects.get(tenant=tenant, code="GST")
    blank = {"description": "", "quantity": "1", "unit_price": "", "account_code": "", "tax_code": gst.pk}
    data = job_form_data(kind, customer=customer, charges=[blank])
    response = ops_client.post(reverse(f"{kind.namespace}:create"), data)
    assert response.status_code == 302
    assert kind.model._default_manager.get().charges.count() == 0


def test_invalid_charge_shows_errors_and_saves_nothing(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    data = job_form_data(kind, customer=customer, charges=[_charge("Linehaul", "-1", "abc", None)])
    response = ops_client.post(reverse(f"{kind.namespace}:create"), data)
    assert response.status_code == 200
    assert "Please correct the highlighted fields." in response.content.decode()
    assert kind.model._default_manager.count() == 0


def test_edit_changes_removes_and_adds_charges(admin_client_: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="booked")
    keep = kind.charge_factory(job=job, description="Keep me", position=0)
    drop = kind.charge_factory(job=job, description="Drop me", position=1)
    fre = TaxCode.objects.get(tenant=tenant, code="FRE")
    data = job_form_data(
        kind,
        customer=job.customer,
        status=kind.in_progress,
        customer_reference="NEW-REF",
        initial_forms=2,
        charges=[
            _charge("Kept, repriced", "3", "9.99", fre, id=keep.pk),
            _charge("Drop me", "1", "100.00", None, id=drop.pk, DELETE="on"),
            _charge("Added", "1", "5.00", None),
        ],
    )
    response = admin_client_.post(reverse(f"{kind.namespace}:edit", args=[job.pk]), data)

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == kind.in_progress and job.customer_reference == "NEW-REF"
    assert [(c.description, c.quantity, c.unit_price, c.tax_code) for c in job.charges.order_by("position")] == [
        ("Kept, repriced", Decimal("3"), Decimal("9.99"), fre),
        ("Added", Decimal("1"), Decimal("5.00"), None),
    ]


def test_status_cannot_be_set_to_invoiced_by_the_form(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="completed")
    data = job_form_data(kind, customer=job.customer, status="invoiced")
    response = ops_client.post(reverse(f"{kind.namespace}:edit", args=[job.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    job.refresh_from_db()
    assert job.status == "completed"
    form = ops_client.get(reverse(f"{kind.namespace}:edit", args=[job.pk])).context["form"]
    assert "invoiced" not in [value for value, _ in form.fields["status"].choices]


def test_status_cannot_jump_backwards_more_than_one_step(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="completed")
    response = ops_client.post(
        reverse(f"{kind.namespace}:edit", args=[job.pk]), job_form_data(kind, customer=job.customer, status="draft")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["status"]


def test_invoiced_job_is_read_only(accounts_client: Client, kind: JobKind, tenant: Tenant) -> None:
    job = kind.factory(tenant=tenant, status="invoiced", customer_reference="FROZEN")
    detail = accounts_client.get(reverse(f"{kind.namespace}:detail", args=[job.pk]))
    body = detail.content.decode()
    assert "read-only" in body
    assert reverse(f"{kind.namespace}:edit", args=[job.pk]) not in body

    edit_url = reverse(f"{kind.namespace}:edit", args=[job.pk])
    assert accounts_client.get(edit_url)["Location"] == reverse(f"{kind.namespace}:detail", args=[job.pk])
    response = accounts_client.post(edit_url, job_form_data(kind, customer=job.customer, customer_reference="CHANGED"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.customer_reference == "FROZEN" and job.status == "invoiced"


def test_customer_of_another_tenant_is_refused(
    ops_client: Client, kind: JobKind, tenant: Tenant, other_tenant: Tenant
) -> None:
    foreign = make_customer(tenant=other_tenant)
    response = ops_client.post(reverse(f"{kind.namespace}:create"), job_form_data(kind, customer=foreign))
    assert response.status_code == 200
    assert response.context["form"].errors["customer"]
    assert kind.model._default_manager.count() == 0


def test_tax_code_of_another_tenant_is_refused(
    ops_client: Client, kind: JobKind, tenant: Tenant, other_tenant: Tenant
) -> None:
    customer = make_customer(tenant=tenant)
    foreign_tax = TaxCode.objects.get(tenant=other_tenant, code="GST")
    data = job_form_data(kind, customer=customer, charges=[_charge("Linehaul", "1", "10.00", foreign_tax)])
    response = ops_client.post(reverse(f"{kind.namespace}:create"), data)
    assert response.status_code == 200
    assert response.context["formset"].errors[0]["tax_code"]
    assert kind.model._default_manager.count() == 0


def test_create_form_preselects_customer_from_query_string(ops_client: Client, kind: JobKind, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    response = ops_client.get(reverse(f"{kind.namespace}:create"), {"customer": customer.pk})
    assert response.context["form"]["customer"].value() == str(customer.pk)
