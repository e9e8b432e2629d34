"""Nightly export: a beat entry per tenant at its local time, checked by time travel (no sleeping)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django_celery_beat.models import PeriodicTask

from freighttracker.celery import app
from integrations.xero.export import tasks as export_tasks
from integrations.xero.export.schedule import nightly_task_name
from integrations.xero.models import ExportRun, ExportTrigger, XeroSettings
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make
from invoicing.models import InvoiceStatus
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _enable(tenant, at=dt.time(2, 0)):
    xs, _ = XeroSettings.objects.get_or_create(tenant=tenant)
    xs.nightly_export_enabled, xs.nightly_export_time = True, at
    xs.save()  # the post_save signal keeps the beat entry in sync
    return PeriodicTask.objects.get(name=nightly_task_name(tenant.id))


def _due_at(task: PeriodicTask, now_utc: dt.datetime, last_run_utc: dt.datetime) -> bool:
    schedule = task.crontab.schedule
    schedule.nowfun = lambda: now_utc.astimezone(schedule.tz)  # time travel
    due, _next = schedule.is_due(last_run_utc)
    return bool(due)


def test_nightly_entry_fires_at_the_tenants_local_time(tenant):
    """02:00 in Sydney (AEDT, UTC+11 in November) is 15:00 UTC the day before."""
    task = _enable(tenant)
    assert task.task == "xero_export.nightly" and json.loads(task.args) == [tenant.id]
    assert str(task.crontab.timezone) == "Australia/Sydney"
    last = dt.datetime(2026, 11, 25, 2, 0, tzinfo=ZoneInfo("Australia/Sydney")).astimezone(UTC)
    assert not _due_at(task, dt.datetime(2026, 11, 25, 14, 59, tzinfo=UTC), last)  # 01:59 on the 26th there
    assert _due_at(task, dt.datetime(2026, 11, 25, 15, 0, 30, tzinfo=UTC), last)  # 02:00:30 on the 26th
    # 02:00 UTC is 13:00 in Sydney: not due although it is "02:00" somewhere.
    assert not _due_at(task, dt.datetime(2026, 11, 25, 2, 0, 30, tzinfo=UTC), last)


def test_each_tenant_has_its_own_entry_in_its_own_timezone(tenant):
    london = TenantFactory(name="London Freight", slug="london", timezone="Europe/London")
    sydney_task, london_task = _enable(tenant), _enable(london, at=dt.time(2, 0))
    last = dt.datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    instant = dt.datetime(2026, 11, 25, 2, 0, 30, tzinfo=UTC)  # 02:00 in London, 13:00 in Sydney
    assert _due_at(london_task, instant, last)
    assert not _due_at(sydney_task, instant, dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC))


def test_changing_the_time_moves_the_entry_and_turning_off_removes_it(tenant):
    task = _enable(tenant, at=dt.time(2, 0))
    task2 = _enable(tenant, at=dt.time(23, 30))
    assert task2.pk == task.pk and (task2.crontab.hour, task2.crontab.minute) == ("23", "30")
    xs = XeroSettings.objects.get(tenant=tenant)
    xs.nightly_export_enabled = False
    xs.save()
    assert not PeriodicTask.objects.filter(name=nightly_task_name(tenant.id)).exists()


def test_the_fired_task_exports_all_ready_invoices_as_a_nightly_run(tenant, django_capture_on_commit_callbacks):
    task = _enable(tenant)
    customers = customers_bulk_make(tenant=tenant, count=2)
    invoices_bulk_make(tenant=tenant, customers=customers, count=3)
    invoices_bulk_make(tenant=tenant, customers=customers, count=1, status=InvoiceStatus.DRAFT, start=50)
    assert export_tasks.export_nightly_task.name == task.task
    with django_capture_on_commit_callbacks() as callbacks:
        app.tasks[task.task].run(*json.loads(task.args))  # what beat sends when the entry is due
    run = ExportRun.objects.get(tenant=tenant)
    assert run.trigger == ExportTrigger.NIGHTLY and run.total_count == 3
    assert len(callbacks) == 1  # the run task is queued after commit


def test_fired_task_does_nothing_when_nightly_was_turned_off_meanwhile(tenant):
    task = _enable(tenant)
    XeroSettings.objects.filter(tenant=tenant).update(nightly_export_enabled=False)  # no signal: stale entry
    app.tasks[task.task].run(*json.loads(task.args))
    assert not ExportRun.objects.exists()
