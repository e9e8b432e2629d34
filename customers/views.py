"""Customer pages. Every role maintains customers; all reads go through the tenant scope."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from customers.forms import CustomerFilter, CustomerForm
from customers.models import Customer
from customers.selectors import (
    customer_autocomplete,
    customer_job_counts,
    customer_list,
    customer_recent_bookings,
    customer_recent_warehouse_jobs,
)
from customers.services import customer_create, customer_update
from jobs.views import paginate
from tenancy.scoping import ANY_ROLE, request_tenant, role_required, tenant_get_object_or_404


@role_required(*ANY_ROLE)
def customer_list_view(request: HttpRequest) -> HttpResponse:
    queryset = customer_list(tenant=request_tenant(request))
    customer_filter = CustomerFilter(request.GET or None, queryset=queryset)
    rows = customer_filter.qs if customer_filter.is_bound else queryset
    context = {
        "filter": customer_filter,
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
        **paginate(request, rows),
    }
    return render(request, "customers/list.html", context)


@role_required(*ANY_ROLE)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = tenant_get_object_or_404(request, Customer, pk=pk)
    context = {
        "customer": customer,
        "bookings": customer_recent_bookings(customer=customer),
        "warehouse_jobs": customer_recent_warehouse_jobs(customer=customer),
        "counts": customer_job_counts(customer=customer),
    }
    return render(request, "customers/detail.html", context)


def _save(request: HttpRequest, customer: Customer | None) -> HttpResponse:
    tenant = request_tenant(request)
    form = CustomerForm(request.POST or None, instance=customer, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            if customer is None:
                saved = customer_create(tenant=tenant, **form.cleaned_data)
                messages.success(request, f"Customer {saved.name} created.")
            else:
                saved = customer_update(customer=customer, **form.cleaned_data)
                messages.success(request, f"Customer {saved.name} saved.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("customers:detail", pk=saved.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@role_required(*ANY_ROLE)
def customer_create_view(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@role_required(*ANY_ROLE)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, tenant_get_object_or_404(request, Customer, pk=pk))


@role_required(*ANY_ROLE)
def customer_autocomplete_view(request: HttpRequest) -> HttpResponse:
    """The customer filter's options for what was typed (htmx swaps them into the ``<select>``).

    Replaces rendering every customer as an ``<option>`` on each list page. The first match is
    pre-selected so that typing a name and pressing Enter filters by it.
    """
    text = request.GET.get("customer_q", "")
    customers = customer_autocomplete(tenant=request_tenant(request), text=text)
    return render(
        request, "customers/_autocomplete_options.html", {"customers": customers, "preselect": bool(text.strip())}
    )
