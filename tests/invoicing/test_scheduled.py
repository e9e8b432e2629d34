"""Weekly and monthly consolidated customers are invoiced on their day, in the tenant's calendar, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from customers.models import ConsolidationSchedule, Customer, InvoicingRule
from invoicing.models import Invoice, InvoiceStatus
from invoicing.scheduled import invoices_raise_scheduled
from invoicing.tasks import invoices_raise_scheduled_task
from tenancy.models import Tenant
from tests.invoicing.conftest import booking_with_charges, make_customer

pytestmark = pytest.mark.django_db

# Sunday 31 May 2026 22:00 UTC is Monday 1 June 08:00 in Sydney (AEST, UTC+10): a Monday and a 1st.
MONDAY_THE_FIRST_IN_SYDNEY = dt.datetime(2026, 5, 31, 22, 0, tzinfo=dt.UTC)
# Monday 8 June 2026 02:00 UTC is Monday 12:00 in Sydney: weekly only.
PLAIN_MONDAY = dt.datetime(2026, 6, 8, 2, 0, tzinfo=dt.UTC)
# Tuesday 9 June 2026 02:00 UTC: nobody is due.
TUESDAY = dt.datetime(2026, 6, 9, 2, 0, tzinfo=dt.UTC)


def at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def customer(tenant: Tenant, schedule: str, rule: str = InvoicingRule.CONSOLIDATED) -> Customer:
    c = make_customer(tenant=tenant, invoicing_rule=rule, consolidation_schedule=schedule)
    for _ in range(2):
        booking_with_charges(c, ("1", "10", "GST"))
    return c


@pytest.fixture
def customers(tenant: Tenant) -> dict[str, Customer]:
    return {
        "weekly": customer(tenant, ConsolidationSchedule.WEEKLY),
        "monthly": customer(tenant, ConsolidationSchedule.MONTHLY),
        "on_demand": customer(tenant, ConsolidationSchedule.ON_DEMAND),
        "per_job": customer(tenant, ConsolidationSchedule.WEEKLY, rule=InvoicingRule.PER_JOB),
    }


def invoiced(customers: dict[str, Customer]) -> set[str]:
    ids = set(Invoice.objects.values_list("customer_id", flat=True))
    return {name for name, c in customers.items() if c.pk in ids}


def test_on_a_plain_monday_only_weekly_consolidated_customers_are_invoiced(
    tenant: Tenant, customers: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, PLAIN_MONDAY)
    [invoice] = invoices_raise_scheduled(tenant=tenant)

    assert invoiced(customers) == {"weekly"}
    assert invoice.is_consolidated and invoice.status == InvoiceStatus.READY
    assert invoice.date == dt.date(2026, 6, 8)


def test_on_the_first_of_the_month_in_the_tenants_timezone_monthly_customers_are_invoiced(
    tenant: Tenant, customers: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, MONDAY_THE_FIRST_IN_SYDNEY)  # still 31 May in UTC
    invoices_raise_scheduled(tenant=tenant)
    assert invoiced(customers) == {"weekly", "monthly"}


def test_nobody_is_invoiced_on_other_days(
    tenant: Tenant, customers: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, TUESDAY)
    assert invoices_raise_scheduled(tenant=tenant) == []


def test_hourly_reruns_on_the_same_day_raise_nothing_more(
    tenant: Tenant, customers: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, PLAIN_MONDAY)
    invoices_raise_scheduled(tenant=tenant)
    booking_with_charges(customers["weekly"], ("1", "10", "GST"))  # completed later that day

    at(monkeypatch, PLAIN_MONDAY + dt.timedelta(hours=1))
    assert invoices_raise_scheduled(tenant=tenant) == []
    assert Invoice.objects.count() == 1


def test_the_task_covers_every_tenant(
    tenant: Tenant, other_tenant: Tenant, customers: dict[str, Customer], monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = customer(other_tenant, ConsolidationSchedule.WEEKLY)
    at(monkeypatch, PLAIN_MONDAY)

    assert invoices_raise_scheduled_task() == 2
    assert set(Invoice.objects.values_list("customer_id", flat=True)) == {customers["weekly"].pk, theirs.pk}
