"""seed_demo builds a believable company once, and a second run changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from bookings.models import Booking, BookingCharge
from customers.models import Customer, InvoicingRule, ReferenceOverride
from invoicing.models import Invoice, InvoiceJob, InvoiceStatus
from tenancy.models import Role, Tenant, User
from warehouse.models import WarehouseJob

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot(tenant: Tenant) -> dict[str, Any]:
    return {
        "customers": list(Customer.objects.filter(tenant=tenant).values_list("code", "name", "invoicing_rule")),
        "bookings": list(Booking.objects.filter(tenant=tenant).values_list("number", "customer_reference", "status")),
        "warehouse": list(WarehouseJob.objects.filter(tenant=tenant).values_list("number", "status")),
        "charges": BookingCharge.objects.filter(job__tenant=tenant).count(),
        "invoices": list(Invoice.objects.filter(tenant=tenant).values_list("number", "status", "total")),
        "users": list(User.objects.filter(tenant=tenant).values_list("email", "role", "password")),
    }


def test_seed_demo_creates_the_demo_company_and_prints_the_logins() -> None:
    output = seed()

    tenant = Tenant.objects.get(slug="demo")
    assert (tenant.name, tenant.timezone, tenant.base_currency) == ("Demo Freight Co", "Australia/Sydney", "AUD")
    assert sorted(tenant.tax_codes.values_list("code", "rate")) == [("FRE", 0), ("GST", 10)]
    for email in ("admin@demo.example", "accounts@demo.example", "ops@demo.example", "customer@demo.example"):
        assert email in output
    assert "demo12345" in output
    assert Customer.objects.filter(tenant=tenant).count() == 20
    assert Booking.objects.filter(tenant=tenant).count() == 200
    assert WarehouseJob.objects.filter(tenant=tenant).count() == 50


def test_seeded_users_have_the_role_of_their_first_word_and_the_password() -> None:
    seed("--tenant", "acme-demo", "--password", "s3cret-pass")

    users = {u.email: u for u in User.objects.filter(tenant__slug="acme-demo")}
    assert {email: u.role for email, u in users.items()} == {
        "admin@acme-demo.example": Role.ADMIN,
        "accounts@acme-demo.example": Role.ACCOUNTS,
        "ops@acme-demo.example": Role.OPERATIONS,
        "customer@acme-demo.example": Role.CUSTOMER,
    }
    portal_user = users["customer@acme-demo.example"]
    assert portal_user.customer is not None and portal_user.customer.tenant_id == portal_user.tenant_id
    assert all(u.check_password("s3cret-pass") for u in users.values())


def test_seed_demo_covers_statuses_rules_and_reference_shapes() -> None:
    seed()
    tenant = Tenant.objects.get(slug="demo")
    bookings = Booking.objects.filter(tenant=tenant)

    assert set(bookings.values_list("status", flat=True)) == {
        "draft",
        "booked",
        "in_transit",
        "delivered",
        "completed",
        "invoiced",
        "cancelled",
    }
    assert set(WarehouseJob.objects.filter(tenant=tenant).values_list("status", flat=True)) == {
        "draft",
        "booked",
        "in_progress",
        "completed",
        "invoiced",
        "cancelled",
    }
    customers = Customer.objects.filter(tenant=tenant)
    assert customers.filter(invoicing_rule=InvoicingRule.CONSOLIDATED).exists()
    assert customers.filter(invoicing_rule=InvoicingRule.PER_JOB).exists()
    assert customers.filter(send_reference=ReferenceOverride.ALWAYS).exists()
    assert customers.filter(send_reference=ReferenceOverride.NEVER).exists()
    references = list(bookings.values_list("customer_reference", flat=True))
    assert "" in references
    assert any(len(r) > 180 for r in references)
    assert len({r for r in references if r and references.count(r) > 1}) >= 1  # shared between jobs
    assert all(1 <= b.charges.count() <= 4 for b in bookings.prefetch_related("charges")[:50])


def test_seed_demo_raises_ready_invoices_including_consolidated_ones_for_invoiced_jobs() -> None:
    seed()
    tenant = Tenant.objects.get(slug="demo")
    invoices = Invoice.objects.filter(tenant=tenant)

    assert invoices.filter(status=InvoiceStatus.READY).count() >= 3
    assert invoices.filter(status=InvoiceStatus.READY, is_consolidated=True).exists()
    invoiced = Booking.objects.filter(tenant=tenant, status="invoiced").count()
    invoiced += WarehouseJob.objects.filter(tenant=tenant, status="invoiced").count()
    assert InvoiceJob.objects.filter(invoice__tenant=tenant, active=True).count() == invoiced
    assert Booking.objects.filter(tenant=tenant, status="completed").exists()  # left for the Raise page


def test_running_seed_demo_twice_changes_nothing() -> None:
    seed()
    tenant = Tenant.objects.get(slug="demo")
    before = snapshot(tenant)

    output = seed()

    assert "nothing changed" in output
    assert snapshot(tenant) == before
    assert Tenant.objects.count() == 1


def test_a_second_company_seeded_with_tenant_gets_its_own_name() -> None:
    seed()
    seed("--tenant", "acme-demo")
    seed("--tenant", "third", "--name", "Third Party Logistics")

    names = dict(Tenant.objects.values_list("slug", "name"))

    assert names == {
        "demo": "Demo Freight Co",
        "acme-demo": "Acme Demo Freight Co",
        "third": "Third Party Logistics",
    }
