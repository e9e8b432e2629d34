"""Booking-specific parts of the shared job pages: freight fields, and the Django admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from bookings.models import Booking
from tenancy.models import Tenant, User
from tests.factories import BookingChargeFactory
from tests.jobs.helpers import BOOKINGS, job_form_data, make_booking, make_customer


def test_booking_form_saves_freight_details(ops_client: Client, tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    response = ops_client.post(reverse("bookings:create"), job_form_data(BOOKINGS, customer=customer, status="booked"))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.consignor_name, booking.consignee_name) == ("Acme Exports", "Harbour Imports")
    assert booking.consignee_address == "9 Pier St, Melbourne"
    assert (booking.pickup_date, booking.delivery_date) == (dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    assert (booking.pieces, booking.weight_kg, booking.volume_m3) == (3, Decimal("120.50"), Decimal("1.250"))
    assert booking.status == "booked"


def test_list_shows_route_reference_and_charges_total(ops_client: Client, tenant: Tenant) -> None:
    booking = make_booking(tenant=tenant, customer_reference="CUST-PO-99")
    BookingChargeFactory(job=booking, quantity=Decimal("1.5"), unit_price=Decimal("33.33"))
    BookingChargeFactory(job=booking, quantity=Decimal("1"), unit_price=Decimal("10.00"))
    body = ops_client.get(reverse("bookings:list")).content.decode()
    assert '<td class="ref">CUST-PO-99</td>' in body
    assert "Acme Exports &rarr; Harbour Imports" in body
    assert "60.00" in body  # 1.5 x 33.33 = 49.995 → 50.00, plus 10.00


def test_admin_lists_bookings_and_assigns_a_number_on_add(tenant: Tenant) -> None:
    superuser = User.objects.create_superuser("root@example.com", "pw")
    client = Client()
    client.force_login(superuser)
    booking = make_booking(tenant=tenant)
    BookingChargeFactory(job=booking)
    assert booking.number in client.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).status_code == 200

    customer = make_customer(tenant=tenant)
    data = {
        "tenant": tenant.pk,
        "customer": customer.pk,
        "customer_reference": "ADMIN-1",
        "direction": "import",
        "status": "draft",
        "pieces": "1",
        "weight_kg": "0",
        "volume_m3": "0",
        "created_at_0": "2026-11-25",
        "created_at_1": "10:00:00",
        "charges-TOTAL_FORMS": "0",
        "charges-INITIAL_FORMS": "0",
        "charges-MIN_NUM_FORMS": "0",
        "charges-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:bookings_booking_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Booking.objects.get(customer_reference="ADMIN-1").number == "B000002"
