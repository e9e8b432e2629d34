"""Track & trace for staff: one job at a time, many at once, in the tenant's time zone."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.test import Client
from django.urls import reverse

from tenancy.models import Tenant, User
from tests.factories import UserFactory
from tests.jobs.helpers import make_booking, make_customer, make_warehouse_job
from tracking.models import StatusEvent
from tracking.selectors import status_timeline
from tracking.services import status_event_add


def test_staff_add_an_event_entered_in_the_tenant_time_zone(ops_client: Client, tenant: Tenant) -> None:
    job = make_booking(tenant=tenant, status="booked")
    response = ops_client.post(
        reverse("tracking:booking_event_add", args=[job.pk]),
        {
            "code": "picked_up",
            "occurred_at": "2026-12-02T09:30",
            "location": "Port Botany",
            "comment": "<b>2 pallets</b>",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("bookings:detail", args=[job.pk])
    event = StatusEvent.objects.get(booking=job)
    assert event.occurred_at == dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC)  # Sydney is UTC+11 in December
    page = ops_client.get(reverse("bookings:detail", args=[job.pk])).content.decode()
    assert "Picked up" in page and "2 Dec 2026, 09:30" in page and "Australia/Sydney" in page
    assert "&lt;b&gt;2 pallets&lt;/b&gt;" in page and "<b>2 pallets</b>" not in page


def test_current_status_is_the_latest_event_by_time_not_by_entry(tenant: Tenant, ops_user: User) -> None:
    job = make_warehouse_job(tenant=tenant, status="booked")
    status_event_add(job=job, code="delivered", user=ops_user, occurred_at=dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    # Entered later, but happened earlier: the timeline keeps "delivered" as the current status.
    status_event_add(job=job, code="in_transit", user=ops_user, occurred_at=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    assert [e.code for e in status_timeline(job=job)] == ["delivered", "in_transit"]


def test_bad_event_is_a_message_not_a_500(ops_client: Client, tenant: Tenant) -> None:
    job = make_booking(tenant=tenant, status="booked")
    response = ops_client.post(
        reverse("tracking:booking_event_add", args=[job.pk]), {"code": "teleported"}, follow=True
    )
    assert response.status_code == 200
    assert "Status not added" in response.content.decode()
    assert not StatusEvent.objects.exists()


def test_bulk_adds_one_event_to_every_selected_job(ops_client: Client, tenant: Tenant) -> None:
    a = make_booking(tenant=tenant, status="booked")
    b = make_warehouse_job(tenant=tenant, status="in_progress")
    untouched = make_booking(tenant=tenant, status="booked")
    page = ops_client.get(reverse("tracking:bulk")).content.decode()
    assert f'value="b:{a.pk}"' in page and f'value="w:{b.pk}"' in page
    response = ops_client.post(
        reverse("tracking:bulk"), {"jobs": [f"b:{a.pk}", f"w:{b.pk}"], "code": "on_hold", "comment": "Strike at port"}
    )
    assert response.status_code == 302
    assert StatusEvent.objects.filter(code="on_hold", comment="Strike at port").count() == 2
    assert StatusEvent.objects.filter(booking=a).exists() and StatusEvent.objects.filter(warehouse_job=b).exists()
    assert not StatusEvent.objects.filter(booking=untouched).exists()


def test_bulk_refuses_another_tenants_job_and_writes_nothing(
    ops_client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    ours = make_booking(tenant=tenant, status="booked")
    theirs = make_booking(tenant=other_tenant, status="booked")
    response = ops_client.post(
        reverse("tracking:bulk"), {"jobs": [f"b:{ours.pk}", f"b:{theirs.pk}"], "code": "arrived"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert not StatusEvent.objects.exists()


def test_other_tenant_cannot_add_events_to_our_job(other_client: Client, tenant: Tenant) -> None:
    job = make_booking(tenant=tenant, status="booked")
    response = other_client.post(reverse("tracking:booking_event_add", args=[job.pk]), {"code": "arrived"})
    assert response.status_code == 404
    assert not StatusEvent.objects.exists()


def test_customer_user_cannot_add_events(tenant: Tenant) -> None:
    customer = make_customer(tenant=tenant)
    job = make_booking(tenant=tenant, customer=customer, status="booked")
    client = Client()
    client.force_login(cast(User, UserFactory(tenant=tenant, role="customer", customer=customer)))
    assert client.post(reverse("tracking:booking_event_add", args=[job.pk]), {"code": "arrived"}).status_code == 403
    assert client.get(reverse("tracking:bulk")).status_code == 403
    assert not StatusEvent.objects.exists()


def test_service_refuses_a_job_of_another_tenant(tenant: Tenant, other_tenant: Tenant, ops_user: User) -> None:
    from django.core.exceptions import ValidationError

    job = make_booking(tenant=other_tenant, status="booked")
    with pytest.raises(ValidationError):
        status_event_add(job=job, code="arrived", user=ops_user)
