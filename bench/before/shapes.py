"""Today's shape before issue 11, kept only so the scale benchmark can run it beside the new code.

Copied from commit 930ef66 (the landed product when the issue was measured): the job list's
selector, search and view body, the Raise page's selector, and the raise loop. Not product code;
nothing imports it but ``bench/scale_bench.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bookings.models import Booking
from customers.models import InvoicingRule
from jobs.models import COMPLETED
from warehouse.models import WarehouseJob


def job_list(*, tenant: Any, model: Any) -> QuerySet[Any]:
    """Before: charges summed with a JOIN + GROUP BY over every job of the tenant."""
    money = DecimalField(max_digits=14, decimal_places=2)
    total = Coalesce(
        Sum(Round(F("charges__quantity") * F("charges__unit_price"), 2), output_field=money),
        Value(Decimal("0")),
        output_field=money,
    )
    queryset = model._default_manager.filter(tenant=tenant).select_related("customer")
    return queryset.annotate(charges_total=total).order_by("-id")


def job_search(*, queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Before: icontains OR'd across the customer join."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(number__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__code__icontains=text)
        | Q(customer_reference__icontains=text)
    )


def job_list_page(request: HttpRequest, *, pages: Any) -> HttpResponse:
    """Before: the shared list view body, with the Paginator counting grouped rows and every
    customer rendered as an ``<option>`` by the old filter template."""
    from customers.models import Customer

    tenant = request.tenant  # type: ignore[attr-defined]
    queryset = job_list(tenant=tenant, model=pages.model)
    job_filter = pages.filter_class(request.GET or None, queryset=queryset, tenant=tenant)
    job_filter.filters["customer"].queryset = Customer.objects.filter(tenant=tenant).order_by("name")
    rows = queryset
    if request.GET.get("q"):
        rows = job_search(queryset=queryset, text=request.GET["q"])
    page_obj = Paginator(rows, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filter": job_filter,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "noun": pages.noun,
        "page_obj": page_obj,
        "rows": page_obj.object_list,
        "querystring_without_page": params.urlencode(),
    }
    return render(request, f"before/{pages.namespace}_list.html", context)


def jobs_uninvoiced_by_customer(*, tenant: Any) -> list[Any]:
    """Before: every completed job of the tenant, grouped by customer, no pagination."""
    from bookings.models import Booking
    from invoicing.selectors import CustomerUninvoiced, UninvoicedJob
    from jobs.models import COMPLETED
    from warehouse.models import WarehouseJob

    amount = ExpressionWrapper(F("charges__quantity") * F("charges__unit_price"), output_field=DecimalField())
    annotations = {
        "charge_count": Count("charges"),
        "amount": Coalesce(Sum(amount), Value(Decimal("0")), output_field=DecimalField()),
    }
    groups: dict[int, Any] = {}
    sources: list[tuple[str, str, QuerySet[Any], str]] = [
        ("b", "Booking", Booking.objects.all(), "delivery_date"),
        ("w", "Warehouse", WarehouseJob.objects.all(), "end_date"),
    ]
    for prefix, kind, qs, date_field in sources:
        rows = qs.filter(tenant=tenant, status=COMPLETED).select_related("customer").annotate(**annotations)
        for job in rows.order_by("number"):
            group = groups.setdefault(job.customer_id, CustomerUninvoiced(customer=job.customer))
            group.jobs.append(
                UninvoicedJob(
                    key=f"{prefix}:{job.pk}",
                    kind=kind,
                    number=job.number,
                    customer_reference=job.customer_reference,
                    date=getattr(job, date_field),
                    charge_count=job.charge_count,
                    amount=Decimal(job.amount).quantize(Decimal("0.01")),
                )
            )
    return sorted(groups.values(), key=lambda g: (g.customer.name.lower(), g.customer.pk))


def raise_page(request: HttpRequest) -> HttpResponse:
    from invoicing.forms import RaiseForm

    groups = jobs_uninvoiced_by_customer(tenant=request.tenant)  # type: ignore[attr-defined]
    return render(request, "before/raise.html", {"groups": groups, "form": RaiseForm()})


def _job_sort_key(job: Any) -> tuple[str, int, str]:
    # Bookings (B…) before warehouse jobs (W…), then by number; length first so B1000000 > B999999.
    return (type(job).NUMBER_PREFIX, len(job.number), job.number)


def _lock_completed_jobs(*, tenant: Any, booking_q: Q, warehouse_q: Q) -> list[Any]:
    """Completed jobs matching the filters, row-locked; rows another request holds are skipped."""
    jobs: list[Any] = []
    for model, q in ((Booking, booking_q), (WarehouseJob, warehouse_q)):
        qs = (
            model._default_manager.select_for_update(skip_locked=True, of=("self",))
            .filter(q, tenant=tenant, status=COMPLETED)
            .select_related("customer")
            .prefetch_related("charges__tax_code")
        )
        jobs.extend(qs)
    return sorted(jobs, key=_job_sort_key)


def _group_jobs(jobs: Sequence[Any]) -> list[tuple[Any, list[Any]]]:
    """One group per invoice: each job alone, or all of a consolidated customer's jobs together."""
    by_customer: dict[int, list[Any]] = defaultdict(list)
    for job in jobs:
        by_customer[job.customer_id].append(job)
    groups: list[tuple[Any, list[Any]]] = []
    for customer_jobs in by_customer.values():
        customer = customer_jobs[0].customer
        if customer.invoicing_rule == InvoicingRule.CONSOLIDATED:
            groups.append((customer, customer_jobs))
        else:
            groups.extend((customer, [job]) for job in customer_jobs)
    # Invoice numbers follow the order of each group's first job.
    groups.sort(key=lambda g: _job_sort_key(g[1][0]))
    return groups


def invoices_raise(*, tenant: Any, mark_ready: bool) -> list[Any]:
    """Before: one transaction; a sequence round trip and an INSERT per invoice (``_raise``)."""
    from bookings.models import Booking
    from invoicing.bulk import INVOICE_PREFIX, INVOICE_SEQUENCE
    from invoicing.models import Invoice, InvoiceJob, InvoiceLine, InvoiceStatus
    from invoicing.services import tenant_today
    from invoicing.totals import invoice_totals, line_money
    from jobs.models import INVOICED
    from tenancy.services import number_format, sequence_next
    from warehouse.models import WarehouseJob

    today = tenant_today(tenant=tenant)
    amounts_are = tenant.price_entry
    default_tax = tenant.default_tax_code
    status = InvoiceStatus.READY if mark_ready else InvoiceStatus.DRAFT
    with transaction.atomic():
        jobs = [j for j in _lock_completed_jobs(tenant=tenant, booking_q=Q(), warehouse_q=Q()) if j.charges.all()]
        invoices: list[Any] = []
        pending_jobs: list[Any] = []
        pending_lines: list[tuple[Any, Any]] = []
        for customer, group in _group_jobs(jobs):
            invoice = Invoice(
                tenant=tenant,
                number=number_format(prefix=INVOICE_PREFIX, value=sequence_next(tenant=tenant, name=INVOICE_SEQUENCE)),
                customer=customer,
                date=today,
                due_date=today + dt.timedelta(days=customer.payment_terms_days),
                currency=customer.currency,
                amounts_are=amounts_are,
                status=status,
                is_consolidated=len(group) > 1,
            )
            monies = []
            line_position = 0
            for job_position, job in enumerate(group):
                invoice_job = InvoiceJob(
                    invoice=invoice,
                    booking=job if isinstance(job, Booking) else None,
                    warehouse_job=job if isinstance(job, WarehouseJob) else None,
                    position=job_position,
                    job_number=job.number,
                    customer_reference=job.customer_reference,
                )
                pending_jobs.append(invoice_job)
                for charge in job.charges.all():
                    tax_code = charge.tax_code or default_tax
                    rate = tax_code.rate if tax_code else Decimal("0")
                    m = line_money(
                        quantity=charge.quantity, unit_price=charge.unit_price, tax_rate=rate, amounts_are=amounts_are
                    )
                    monies.append(m)
                    line = InvoiceLine(
                        invoice=invoice,
                        position=line_position,
                        description=charge.description,
                        quantity=charge.quantity,
                        unit_price=charge.unit_price,
                        account_code=charge.account_code or tenant.default_account_code,
                        tax_code=tax_code.code if tax_code else "",
                        tax_rate=rate,
                        line_amount=m.amount,
                        tax_amount=m.tax,
                    )
                    pending_lines.append((invoice_job, line))
                    line_position += 1
            totals = invoice_totals(lines=monies, amounts_are=amounts_are)
            invoice.subtotal, invoice.tax_total, invoice.total = totals.subtotal, totals.tax_total, totals.total
            invoice.save()
            invoices.append(invoice)
        for ij in pending_jobs:
            ij.invoice_id = ij.invoice.pk
        InvoiceJob.objects.bulk_create(pending_jobs)
        lines = []
        for ij, line in pending_lines:
            line.invoice_id, line.invoice_job = line.invoice.pk, ij
            lines.append(line)
        InvoiceLine.objects.bulk_create(lines)
        Booking.objects.filter(pk__in=[j.pk for j in jobs if isinstance(j, Booking)]).update(status=INVOICED)
        WarehouseJob.objects.filter(pk__in=[j.pk for j in jobs if isinstance(j, WarehouseJob)]).update(status=INVOICED)
    return invoices


def report_raised_queries(invoices: list[Any]) -> int:
    """Before: ``_report_raised`` counted each invoice's jobs with a query per invoice."""
    return sum(len(inv.invoice_jobs.all()) for inv in invoices)
