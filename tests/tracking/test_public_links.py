"""Public tracking links: signed, expiring, revocable; the timeline only."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tenancy.models import Tenant, User
from tests.jobs.helpers import make_booking
from tracking.links import tracking_link_create, tracking_link_path, tracking_link_token
from tracking.models import StatusEvent, TrackingLink


def test_staff_make_a_link_that_shows_the_timeline_without_prices_documents_or_notes(
    ops_client: Client, tenant: Tenant
) -> None:
    job = make_booking(tenant=tenant, status="in_transit", customer_reference="SECRET-PO", notes="internal note")
    job.charges.create(description="Linehaul PRICE-LINE", quantity=1, unit_price="1234.56")
    when = dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC)
    StatusEvent.objects.create(
        tenant=tenant,
        booking=job,
        code="in_transit",
        location="Port Botany",
        comment="driver phone 0400",
        occurred_at=when,
    )
    response = ops_client.post(reverse("tracking:booking_link_create", args=[job.pk]), {"days": "7"}, follow=True)
    link = TrackingLink.objects.get()
    path = tracking_link_path(link=link)
    assert path in response.content.decode()  # shown on the job page to copy

    page = Client().get(path)
    body = page.content.decode()
    assert page.status_code == 200
    assert job.number in body and "In transit" in body and "Port Botany" in body and "2 Dec 2026, 09:30" in body
    for hidden in ("1234.56", "PRICE-LINE", "SECRET-PO", "internal note", "driver phone", job.customer.name):
        assert hidden not in body, hidden
    assert page["X-Robots-Tag"] == "noindex"


def test_a_revoked_link_stops_working(ops_client: Client, tenant: Tenant, ops_user: User) -> None:
    job = make_booking(tenant=tenant, status="booked")
    link = tracking_link_create(job=job, user=ops_user)
    path = tracking_link_path(link=link)
    assert Client().get(path).status_code == 200
    ops_client.post(reverse("tracking:link_revoke", args=[link.public_id]))
    assert Client().get(path).status_code == 404


def test_an_expired_link_stops_working(tenant: Tenant, ops_user: User) -> None:
    link = tracking_link_create(job=make_booking(tenant=tenant), user=ops_user, days=1)
    TrackingLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(tracking_link_path(link=link)).status_code == 404


def test_guessed_or_tampered_tokens_get_nowhere(tenant: Tenant, ops_user: User) -> None:
    link = tracking_link_create(job=make_booking(tenant=tenant), user=ops_user)
    token = tracking_link_token(link=link)
    value, _, signature = token.rpartition(":")
    for forged in (
        str(link.public_id),
        f"{value}:{'A' * len(signature)}",
        token[:-1] + ("x" if token[-1] != "x" else "y"),
        "x" * 600,
    ):
        assert Client().get(reverse("tracking_public:page", args=[forged])).status_code == 404


def test_other_tenant_cannot_make_or_revoke_links(other_client: Client, tenant: Tenant, ops_user: User) -> None:
    job = make_booking(tenant=tenant)
    assert other_client.post(reverse("tracking:booking_link_create", args=[job.pk])).status_code == 404
    link = tracking_link_create(job=job, user=ops_user)
    assert other_client.post(reverse("tracking:link_revoke", args=[link.public_id])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
