"""Every time a person sees is in the company's zone and says which zone (issue 8, section 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import Booking
from tenancy.models import Tenant
from tests.factories import BookingFactory
from tracking.models import StatusEvent

pytestmark = pytest.mark.django_db


def test_a_bookings_tracking_timeline_shows_the_tenants_zone_by_name(ops_client: Client, tenant: Tenant) -> None:
    booking: Booking = BookingFactory(tenant=tenant)  # type: ignore[assignment]
    StatusEvent.objects.create(
        tenant=tenant,
        booking=booking,
        code="booked",
        occurred_at=dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC),
    )

    html = ops_client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()

    assert "1 Jan 2026, 11:30 AEDT" in html  # 00:30 UTC is 11:30 in Sydney
