"""How rows of other apps point at "a job" of either kind.

Status events, notes, documents and tracking links each carry two nullable foreign keys
(``booking`` and ``warehouse_job``) with a check that exactly one is set, like ``InvoiceJob``:
real foreign keys keep deletes and joins honest, which a generic relation would not. These helpers
keep the two-column dance in one place.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jobs.models import Job

BOOKING = "booking"
WAREHOUSE_JOB = "warehouse_job"
# Short codes used in composite form values ("b:12") and URLs.
KIND_CODES = {BOOKING: "b", WAREHOUSE_JOB: "w"}


def job_link_field(model: type[Job] | Job) -> str:
    """The column name (``booking`` or ``warehouse_job``) that points at this kind of job."""
    meta = model._meta
    return BOOKING if meta.model_name == "booking" else WAREHOUSE_JOB


def job_link(job: Job) -> dict[str, Job]:
    """Keyword arguments that point a row (or a filter) at ``job``."""
    return {job_link_field(job): job}


def job_of(row: Any) -> Job:
    """The job a linked row points at (whichever of the two columns is set)."""
    return row.booking if row.booking_id is not None else row.warehouse_job  # type: ignore[no-any-return]


def job_link_fields() -> tuple[models.ForeignKey[Any, Any], models.ForeignKey[Any, Any]]:
    """The two nullable foreign keys for a model that belongs to one job."""
    return (
        models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="+"),
        models.ForeignKey("warehouse.WarehouseJob", null=True, blank=True, on_delete=models.CASCADE, related_name="+"),
    )


def exactly_one_job(name: str) -> models.CheckConstraint:
    """Check constraint: a row points at a booking or a warehouse job, never both or neither."""
    return models.CheckConstraint(
        condition=(models.Q(booking__isnull=False) & models.Q(warehouse_job__isnull=True))
        | (models.Q(booking__isnull=True) & models.Q(warehouse_job__isnull=False)),
        name=name,
    )


def job_model_for_code(code: str) -> type[Job]:
    """``b`` → Booking, ``w`` → WarehouseJob (imported late: those apps import this one)."""
    from bookings.models import Booking
    from warehouse.models import WarehouseJob

    models_by_code: dict[str, type[Job]] = {"b": Booking, "w": WarehouseJob}
    if code not in models_by_code:
        raise KeyError(code)
    return models_by_code[code]


def job_code(job: Job | type[Job]) -> str:
    return KIND_CODES[job_link_field(job)]
