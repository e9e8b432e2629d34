"""Reads for bookings."""

from __future__ import annotations

from django.db.models import QuerySet

from bookings.models import Booking
from jobs.selectors import job_list
from tenancy.models import Tenant


def booking_list(*, tenant: Tenant) -> QuerySet[Booking]:
    return job_list(tenant=tenant, model=Booking)
