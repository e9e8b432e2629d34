"""The token keep-alive must really be in the beat schedule (it was written but never scheduled)."""

from __future__ import annotations

from typing import Any

import pytest
from celery.schedules import crontab
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from freighttracker.celery import app
from integrations.xero.tasks import xero_tokens_keepalive


def _keepalive_entries() -> list[dict]:
    return [entry for entry in app.conf.beat_schedule.values() if entry["task"] == xero_tokens_keepalive.name]


def test_keepalive_is_in_the_beat_schedule_once_a_day() -> None:
    entries = _keepalive_entries()
    assert len(entries) == 1, f"{xero_tokens_keepalive.name} is not scheduled: {app.conf.beat_schedule}"
    assert isinstance(entries[0]["schedule"], crontab)
    schedule: Any = entries[0]["schedule"]  # celery-types does not describe crontab's fields
    # Once a day: one hour and one minute of every day of the month, month and week.
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1
    assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31 and len(schedule.month_of_year) == 12
    assert entries[0]["task"] in app.tasks  # registered, so beat's message reaches a real task


@pytest.mark.django_db(transaction=True)  # the scheduler closes stale DB connections
def test_beat_database_scheduler_installs_the_keepalive() -> None:
    """What `celery beat` (django-celery-beat's DatabaseScheduler) loads at start-up."""
    DatabaseScheduler(app=app)
    stored = PeriodicTask.objects.get(task=xero_tokens_keepalive.name)
    assert stored.enabled
    assert stored.crontab is not None and stored.crontab.day_of_week == "*"
