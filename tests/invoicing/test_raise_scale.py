"""Raising at scale (issue 11): a whole customer or everything from the UI without one field per
job, in the background with progress, in chunks that commit separately, with a fixed number of
statements per chunk. Speed itself is measured by ``bench/scale_bench.py``.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking, BookingCharge
from customers.models import Customer, InvoicingRule
from invoicing.models import Invoice, InvoiceJob, RaiseRun, RaiseRunStatus
from invoicing.raising import RaiseSelection, RaiseTally, invoices_raise_chunked
from invoicing.services import invoice_raise_counted
from invoicing.tasks import raise_run_task
from tenancy.models import Tenant
from tests.factories import TenantFactory, UserFactory
from tests.invoicing.conftest import make_customer

_numbers: dict[int, int] = {}


def completed_bookings(customer: Customer, n: int, *, charges: bool = True) -> list[Booking]:
    """``n`` completed bookings with one charge each, in two bulk inserts."""
    start = _numbers.get(customer.tenant_id, 0)
    _numbers[customer.tenant_id] = start + n
    jobs = Booking.objects.bulk_create(
        Booking(tenant=customer.tenant, number=f"B{start + i + 1:06d}", customer=customer, status="completed")
        for i in range(n)
    )
    if charges:
        BookingCharge.objects.bulk_create(
            BookingCharge(job=job, description="Linehaul", quantity=1, unit_price=Decimal("10")) for job in jobs
        )
    return jobs


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    """(name, value) of the enabled inputs of one form as rendered, with every checkbox ticked."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert form is not None
    fields = []
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or re.search(r"\sdisabled", tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields.append((name.group(1), value.group(1) if value else "on"))
    return fields


@pytest.mark.django_db
def test_raising_a_customer_with_more_jobs_than_the_field_limit_works_from_the_page(
    accounts_client: Client, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    """The page used to list (and its script tick) one checkbox per job: 1,001 jobs answered 400."""
    customer = make_customer(tenant=tenant, invoicing_rule=InvoicingRule.PER_JOB)
    completed_bookings(customer, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    html = accounts_client.get(reverse("invoicing:raise")).content.decode()
    fields = form_fields(html, "raise-form")
    assert len(fields) < 100, "one form field per job"
    # Everything ticked, as a person ticking the customer and each listed job would post it.
    with django_capture_on_commit_callbacks() as callbacks:
        response = accounts_client.post(reverse("invoicing:raise"), _encode(fields))
    assert response.status_code == 302
    run = RaiseRun.objects.get(tenant=tenant)
    assert response["Location"] == reverse("invoicing:raise_run", args=[run.public_id])
    assert len(callbacks) == 1  # the worker is asked only once the run is committed
    raise_run_task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.status == RaiseRunStatus.DONE
    assert (run.jobs_total, run.jobs_done, run.jobs_invoiced, run.invoices_raised) == (1001, 1001, 1001, 1001)
    assert not Booking.objects.filter(tenant=tenant, status="completed").exists()


def _encode(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


@pytest.mark.django_db
def test_raise_all_invoices_every_completed_job_by_each_customers_rule(
    accounts_client: Client, tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    per_job = make_customer(tenant=tenant, invoicing_rule=InvoicingRule.PER_JOB)
    consolidated = make_customer(tenant=tenant, invoicing_rule=InvoicingRule.CONSOLIDATED)
    completed_bookings(per_job, 4)
    completed_bookings(consolidated, 6)
    (no_charges,) = completed_bookings(per_job, 1, charges=False)
    (theirs,) = completed_bookings(make_customer(tenant=other_tenant), 1)
    html = accounts_client.get(reverse("invoicing:raise")).content.decode()
    assert "Raise all 11 completed jobs" in html
    with django_capture_on_commit_callbacks():
        response = accounts_client.post(reverse("invoicing:raise"), _encode(form_fields(html, "raise-all-form")))
    run = RaiseRun.objects.get(tenant=tenant)
    assert response["Location"] == reverse("invoicing:raise_run", args=[run.public_id])
    assert run.everything and run.mark_ready

    running = accounts_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running  # the partial keeps polling until the run is finished
    raise_run_task.apply(args=(run.pk,))
    done = accounts_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done
    assert "5 invoices raised covering 10 jobs" in done

    invoices = Invoice.objects.filter(tenant=tenant)
    assert invoices.filter(customer=per_job).count() == 4
    assert invoices.get(customer=consolidated).invoice_jobs.count() == 6
    assert set(invoices.values_list("status", flat=True)) == {"ready"}
    no_charges.refresh_from_db()
    theirs.refresh_from_db()
    assert (no_charges.status, theirs.status) == ("completed", "completed")


@pytest.mark.django_db(transaction=True)
def test_chunks_commit_one_by_one_and_never_split_a_consolidated_customer() -> None:
    tenant = TenantFactory.create(slug="chunks")
    per_job = make_customer(tenant=tenant, invoicing_rule=InvoicingRule.PER_JOB)
    consolidated = make_customer(tenant=tenant, invoicing_rule=InvoicingRule.CONSOLIDATED)
    completed_bookings(per_job, 7)
    completed_bookings(consolidated, 5)
    seen_by_others: list[int] = []

    def committed_invoices() -> None:
        # Another connection sees only what is committed.
        def count() -> None:
            seen_by_others.append(Invoice.objects.filter(tenant=tenant).count())
            connection.close()

        thread = threading.Thread(target=count)
        thread.start()
        thread.join(timeout=30)

    tallies: list[tuple[int, int]] = []

    def progress(tally: RaiseTally) -> None:
        tallies.append((tally.jobs_done, tally.invoices_raised))
        committed_invoices()

    tally = invoices_raise_chunked(
        tenant=tenant, selection=RaiseSelection(everything=True), mark_ready=False, chunk_jobs=3, progress=progress
    )
    assert (tally.jobs_total, tally.jobs_invoiced, tally.invoices_raised) == (12, 12, 8)
    assert len(tallies) >= 4
    assert seen_by_others == [raised for _done, raised in tallies]
    assert Invoice.objects.get(customer=consolidated).invoice_jobs.count() == 5
    numbers = sorted(Invoice.objects.filter(tenant=tenant).values_list("number", flat=True))
    assert numbers == [f"INV-{i:06d}" for i in range(1, 9)]


@pytest.mark.django_db
@pytest.mark.parametrize("rule", [InvoicingRule.PER_JOB, InvoicingRule.CONSOLIDATED])
def test_raising_costs_the_same_statements_for_5_or_50_jobs(tenant: Tenant, rule: str) -> None:
    """Numbers reserved in one statement and rows bulk-inserted: no round trip per invoice."""
    from django.db.models import Q

    counts = []
    for n in (5, 50):
        customer = make_customer(tenant=tenant, invoicing_rule=rule)
        completed_bookings(customer, n)
        with CaptureQueriesContext(connection) as queries:
            invoices, covered = invoice_raise_counted(
                tenant=tenant, booking_q=Q(customer=customer), warehouse_q=Q(pk__in=[]), mark_ready=True, user=None
            )
        assert covered == n
        assert len(invoices) == (n if rule == InvoicingRule.PER_JOB else 1)
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_raise_post_reports_with_the_same_queries_for_3_or_30_invoices(accounts_client: Client, tenant: Tenant) -> None:
    counts = []
    for n in (3, 30):
        customer = make_customer(tenant=tenant, invoicing_rule=InvoicingRule.PER_JOB)
        completed_bookings(customer, n)
        with CaptureQueriesContext(connection) as queries:
            response = accounts_client.post(reverse("invoicing:raise"), {"customer": [customer.pk], "mark_ready": "on"})
        assert response.status_code == 302 and response["Location"] == reverse("invoicing:ready")
        counts.append(len(queries))
        assert InvoiceJob.objects.filter(booking__customer=customer).count() == n
    assert counts[0] == counts[1]
    messages = [str(m) for m in accounts_client.get(reverse("invoicing:ready")).context["messages"]]
    assert any("Raised 30 invoices covering 30 jobs" in m for m in messages)


@pytest.mark.django_db
def test_raise_run_page_is_for_its_tenants_invoicing_roles(
    accounts_client: Client, ops_client: Client, other_client: Client, tenant: Tenant
) -> None:
    run = RaiseRun.objects.create(tenant=tenant, everything=True, jobs_total=3)
    url = reverse("invoicing:raise_run", args=[run.public_id])
    assert accounts_client.get(url).status_code == 200
    assert ops_client.get(url).status_code == 403
    assert other_client.get(url).status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.django_db
def test_a_large_selection_is_not_raised_inside_the_request(
    accounts_client: Client, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    """Over the synchronous limit the request only records the run: no job is locked or invoiced by it."""
    from invoicing.raising import SYNC_LIMIT

    customer = make_customer(tenant=tenant)
    completed_bookings(customer, SYNC_LIMIT + 1)
    with django_capture_on_commit_callbacks():
        response = accounts_client.post(reverse("invoicing:raise"), {"customer": [customer.pk]})
    assert response.status_code == 302
    assert not Invoice.objects.filter(tenant=tenant).exists()
    assert RaiseRun.objects.get(tenant=tenant).jobs_total == SYNC_LIMIT + 1


@pytest.mark.django_db
def test_a_run_only_covers_its_own_tenants_selection(tenant: Tenant, other_tenant: Tenant) -> None:
    ours = make_customer(tenant=tenant)
    theirs = make_customer(tenant=other_tenant)
    completed_bookings(ours, 2)
    (their_job,) = completed_bookings(theirs, 1)
    admin = UserFactory.create(tenant=tenant, role="admin")
    run = RaiseRun.objects.create(
        tenant=tenant, created_by=admin, customer_ids=[ours.pk, theirs.pk], booking_ids=[their_job.pk]
    )
    raise_run_task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert (run.status, run.invoices_raised) == (RaiseRunStatus.DONE, 2)
    their_job.refresh_from_db()
    assert their_job.status == "completed"


@pytest.mark.django_db
def test_bulk_written_rows_keep_awkward_text_and_get_the_model_defaults(tenant: Tenant) -> None:
    """The raise writes with COPY: tabs, new lines, backslashes and quotes survive; unset fields get defaults."""
    from django.db.models import Q

    customer = make_customer(tenant=tenant)
    (job,) = completed_bookings(customer, 1, charges=False)
    awkward = 'Tab\there, new\nline, back\\slash, "quotes", \\N, ünï'
    Booking.objects.filter(pk=job.pk).update(customer_reference=awkward)
    BookingCharge.objects.create(job=job, description=awkward, quantity=Decimal("1.5"), unit_price=Decimal("3.33"))
    [invoice], _covered = invoice_raise_counted(
        tenant=tenant, booking_q=Q(pk=job.pk), warehouse_q=Q(pk__in=[]), mark_ready=False, user=None
    )
    line = invoice.lines.get()
    assert (line.description, invoice.invoice_jobs.get().customer_reference) == (awkward, awkward)
    assert (line.line_amount, line.tax_amount, invoice.total) == (Decimal("5.00"), Decimal("0.50"), Decimal("5.50"))
    assert invoice.public_id and invoice.notes == "" and invoice.exported_at is None
    assert invoice.status == "draft" and line.invoice_job_id == invoice.invoice_jobs.get().pk


@pytest.mark.django_db
def test_a_run_leaves_out_an_invoice_it_cannot_hold_and_says_why(accounts_client: Client, tenant: Tenant) -> None:
    """A negative total (rows stored before the input rules) is refused; the rest of the run is raised."""
    good = make_customer(tenant=tenant, name="Good Co")
    bad = make_customer(tenant=tenant, name="Credit Co")
    completed_bookings(good, 3)
    (negative,) = completed_bookings(bad, 1, charges=False)
    BookingCharge.objects.create(job=negative, description="Refund", quantity=1, unit_price=Decimal("-50"))
    run = RaiseRun.objects.create(tenant=tenant, everything=True)
    raise_run_task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert (run.status, run.invoices_raised, run.jobs_invoiced) == (RaiseRunStatus.DONE, 3, 3)
    assert "1 invoice(s) not raised" in run.error and negative.number in run.error and "Credit Co" in run.error
    negative.refresh_from_db()
    assert negative.status == "completed"
    body = accounts_client.get(reverse("invoicing:raise_run", args=[run.public_id])).content.decode()
    assert "Credit Co" in body
    assert sorted(Invoice.objects.filter(tenant=tenant).values_list("number", flat=True)) == [
        "INV-000001",
        "INV-000002",
        "INV-000003",
    ]
