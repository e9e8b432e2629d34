"""The customer portal: open jobs split into imports and exports, search, job page, invoices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tenancy.models import Role, Tenant, User
from tests.factories import UserFactory
from tests.jobs.helpers import make_booking, make_customer, make_warehouse_job
from tracking.models import StatusEvent


def rows_of(response: Any) -> list[str]:
    return [row["number"] for section in response.context["sections"] for row in section["rows"]]


def test_home_shows_only_own_open_jobs_split_into_imports_and_exports(
    customer_client: Client, customer: Customer, sibling: Customer, other_tenant: Tenant
) -> None:
    imp = make_booking(tenant=customer.tenant, customer=customer, status="in_transit", direction="import")
    exp = make_warehouse_job(tenant=customer.tenant, customer=customer, status="booked", direction="export")
    done = make_booking(tenant=customer.tenant, customer=customer, status="completed", direction="import")
    theirs = make_booking(tenant=customer.tenant, customer=sibling, status="booked", customer_reference="SIB-REF")
    make_booking(tenant=other_tenant, status="booked", customer_reference="RIVAL-REF")

    response = customer_client.get(reverse("portal:home"))

    assert response.status_code == 200
    imports, exports = response.context["sections"]
    assert [r["number"] for r in imports["rows"]] == [imp.number]
    assert [r["number"] for r in exports["rows"]] == [exp.number]
    body = response.content.decode()
    assert done.number not in rows_of(response)
    assert "SIB-REF" not in body and "RIVAL-REF" not in body and theirs.number not in rows_of(response)


@pytest.mark.parametrize("field", ["customer_reference", "number", "container_number"])
def test_search_by_reference_job_number_or_container(
    customer_client: Client, customer: Customer, sibling: Customer, field: str
) -> None:
    job = make_booking(
        tenant=customer.tenant,
        customer=customer,
        status="booked",
        customer_reference="PO-HARB-77",
        container_number="MSKU1234567",
    )
    make_booking(tenant=customer.tenant, customer=customer, status="booked", customer_reference="PO-OTHER")
    make_booking(tenant=customer.tenant, customer=sibling, status="booked", customer_reference="PO-HARB-77")
    text = {"customer_reference": "harb-77", "number": job.number, "container_number": "MSKU123"}[field]
    response = customer_client.get(reverse("portal:jobs"), {"q": text})
    assert [r["number"] for r in response.context["rows"]] == [job.number]


def test_completed_filter_shows_completed_and_invoiced_not_open_or_cancelled(
    customer_client: Client, customer: Customer
) -> None:
    t = customer.tenant
    completed = make_booking(tenant=t, customer=customer, status="completed")
    invoiced = make_warehouse_job(tenant=t, customer=customer, status="invoiced")
    make_booking(tenant=t, customer=customer, status="booked")
    make_booking(tenant=t, customer=customer, status="cancelled")
    response = customer_client.get(reverse("portal:jobs"), {"done": "1"})
    assert sorted(r["number"] for r in response.context["rows"]) == sorted([completed.number, invoiced.number])


def test_job_page_shows_timeline_in_tenant_time_zone(customer_client: Client, customer: Customer) -> None:
    job = make_booking(tenant=customer.tenant, customer=customer, status="in_transit")
    StatusEvent.objects.create(
        tenant=customer.tenant,
        booking=job,
        code="picked_up",
        location="Port Botany",
        occurred_at=dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC),  # 09:30 next day in Sydney (AEDT)
    )
    body = customer_client.get(reverse("portal:booking", args=[job.pk])).content.decode()
    assert "Picked up" in body and "Port Botany" in body
    assert "2 Dec 2026, 09:30" in body
    assert "Australia/Sydney" in body
    assert "Linehaul" not in body  # no prices or charge lines on the portal's job page


def test_other_customers_and_other_tenants_jobs_are_404(
    customer_client: Client, customer: Customer, sibling: Customer, other_tenant: Tenant
) -> None:
    sib = make_booking(tenant=customer.tenant, customer=sibling, status="booked")
    sib_w = make_warehouse_job(tenant=customer.tenant, customer=sibling, status="booked")
    rival = make_booking(tenant=other_tenant, status="booked")
    assert customer_client.get(reverse("portal:booking", args=[sib.pk])).status_code == 404
    assert customer_client.get(reverse("portal:warehouse_job", args=[sib_w.pk])).status_code == 404
    assert customer_client.get(reverse("portal:booking", args=[rival.pk])).status_code == 404
    # A booking's id on the warehouse URL names no warehouse job of ours either.
    own = make_booking(tenant=customer.tenant, customer=customer, status="booked")
    assert customer_client.get(reverse("portal:warehouse_job", args=[own.pk])).status_code in (200, 404)


@pytest.mark.parametrize("client_name", ["admin_client_", "accounts_client", "ops_client"])
def test_staff_are_refused_the_portal(request: pytest.FixtureRequest, client_name: str) -> None:
    client: Client = request.getfixturevalue(client_name)
    assert client.get(reverse("portal:home")).status_code == 403


def test_customer_user_is_refused_every_staff_page_and_lands_on_the_portal(
    customer_client: Client, customer: Customer
) -> None:
    job = make_booking(tenant=customer.tenant, customer=customer)
    for url in (
        reverse("bookings:list"),
        reverse("bookings:detail", args=[job.pk]),
        reverse("warehouse:list"),
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("invoicing:list"),
        reverse("tracking:bulk"),
        reverse("settings"),
    ):
        assert customer_client.get(url).status_code == 403, url
    response = customer_client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_customer_user_must_have_a_customer_and_staff_must_not(tenant: Tenant) -> None:
    with pytest.raises(IntegrityError):
        UserFactory(tenant=tenant, role=Role.CUSTOMER, customer=None)


def test_staff_user_with_a_customer_is_refused_by_the_database(tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    with pytest.raises(IntegrityError):
        UserFactory(tenant=tenant, role=Role.OPERATIONS, customer=customer)


def test_invoices_list_shows_own_raised_invoices_only(
    customer_client: Client, customer: Customer, sibling: Customer, admin_user: User
) -> None:
    from invoicing.models import Invoice

    def invoice(cust: Customer, number: str, status: str) -> Invoice:
        return Invoice.objects.create(
            tenant=cust.tenant,
            customer=cust,
            number=number,
            due_date=dt.date(2027, 1, 1),
            currency="AUD",
            status=status,
        )

    invoice(customer, "INV-OURS", "exported")
    invoice(customer, "INV-DRAFT", "draft")
    invoice(sibling, "INV-SIB", "exported")
    body = customer_client.get(reverse("portal:invoices")).content.decode()
    assert "INV-OURS" in body
    assert "INV-DRAFT" not in body and "INV-SIB" not in body


def test_demo_customer_sees_open_imports_and_exports_with_timelines(db: None) -> None:
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = Client()
    client.force_login(User.objects.get(email="customer@demo.example"))
    assert User.objects.get(email="customer@demo.example").check_password("demo12345")
    response = client.get(reverse("portal:home"))
    imports, exports = response.context["sections"]
    assert imports["rows"] and exports["rows"]
    assert any(row["tracking_code"] for row in imports["rows"] + exports["rows"])
