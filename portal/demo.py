"""The portal's part of ``seed_demo``: a customer user, directions, containers and timelines.

Drawn from its own ``random.Random`` so the rest of the demo (and its tests) stay exactly as they
were. Runs only when the demo's jobs are first created, inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from bookings.models import Booking
from customers.models import Customer
from jobs.models import DONE_STATUSES, Direction
from tenancy.models import Role, Tenant, User
from tracking.models import EventCode, StatusEvent
from warehouse.models import WarehouseJob

PORTAL_CUSTOMER_EMAIL = "customer@{slug}.example"
JOURNEY = [EventCode.BOOKED, EventCode.PICKED_UP, EventCode.IN_TRANSIT, EventCode.ARRIVED, EventCode.OUT_FOR_DELIVERY]
DEPOTS = ["Port Botany", "Sydney depot", "Melbourne depot", "Brisbane depot", "Customs, Port of Melbourne"]


def portal_demo_user(*, tenant: Tenant, customer: Customer, password: str) -> tuple[str, str, str]:
    """``customer@<slug>.example``, a portal user of the demo's first customer (idempotent)."""
    email = PORTAL_CUSTOMER_EMAIL.format(slug=tenant.slug)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, password, tenant=tenant, role=Role.CUSTOMER, customer=customer, full_name="Demo Customer"
        )
    elif user.tenant_id != tenant.pk or user.customer_id != customer.pk or not user.check_password(password):
        user.tenant, user.role, user.customer = tenant, Role.CUSTOMER, customer
        user.set_password(password)
        user.save()
    return email, str(Role.CUSTOMER), password


def portal_demo_jobs(*, tenant: Tenant, customer: Customer, seed: int) -> None:
    """Give jobs a direction and container, move a dozen open ones to the portal's customer, and
    give every open job a short timeline."""
    rng = random.Random(seed + 12)
    now = timezone.now()
    models: tuple[Any, ...] = (Booking, WarehouseJob)  # both kinds, duck-typed
    for model in models:
        jobs = list(model._default_manager.filter(tenant=tenant).order_by("id"))
        open_jobs = [j for j in jobs if j.status not in DONE_STATUSES and j.status != "draft"]
        for job in open_jobs[: 10 if model is Booking else 3]:
            job.customer = customer
        for job in jobs:
            job.direction = rng.choice([Direction.IMPORT, Direction.EXPORT])
            if model is Booking:
                job.container_number = f"{rng.choice(['MSKU', 'TGHU', 'CMAU'])}{rng.randint(1000000, 9999999)}"
        model._default_manager.bulk_update(jobs, ["customer", "direction", "container_number"])
        events = []
        for job in open_jobs:
            steps = JOURNEY[: rng.randint(1, len(JOURNEY))]
            start = now - dt.timedelta(hours=6 * len(steps) + rng.randint(0, 48))
            for i, code in enumerate(steps):
                link = {"booking": job} if model is Booking else {"warehouse_job": job}
                events.append(
                    StatusEvent(
                        tenant=tenant,
                        code=code,
                        occurred_at=start + dt.timedelta(hours=6 * i, minutes=rng.randint(0, 59)),
                        location=rng.choice(DEPOTS),
                        **link,
                    )
                )
        StatusEvent.objects.bulk_create(events)
