"""View bodies shared by bookings and warehouse jobs.

Each app's ``views.py`` declares a :class:`JobPages` and thin, role-checked view functions that
call these; the rules (scoping, read-only once invoiced, messages) then live in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jobs.filters import JobFilter
from jobs.forms import BaseChargeFormSet, JobForm
from jobs.models import INVOICED, Job
from jobs.selectors import job_active_invoice, job_charges, job_charges_total, job_list, job_totals_attach
from jobs.services import JobLockedError
from notes.selectors import notes_unread_attach
from notes.services import notes_mark_read
from tenancy.scoping import request_tenant, tenant_get_object_or_404

PAGE_SIZE = 25


class KeyFirstPaginator(Paginator):
    """Finds a page's primary keys first, then loads only those rows with their joins.

    ``OFFSET 99975`` over the full row (customer joined) reads every earlier row; over the
    primary key alone it walks an index-only scan of ``(tenant, id)``. Pages in the back half are
    read from the other end (reversed order, smaller offset), so the last page costs what the
    first does. Two queries per page, however deep the page.
    """

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        keys_qs = queryset.values_list("pk", flat=True)
        if bottom > self.count // 2 and _ends_with_pk(queryset):
            keys = list(keys_qs.reverse()[self.count - top : self.count - bottom])[::-1]
        else:
            keys = list(keys_qs[bottom:top])
        by_key = {row.pk: row for row in queryset.filter(pk__in=keys).order_by()}
        return Page([by_key[key] for key in keys if key in by_key], number, self)


def _ends_with_pk(queryset: QuerySet[Any]) -> bool:
    """Whether the ordering is total (its last key is the primary key), so reversing it is exact."""
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return bool(ordering) and str(ordering[-1]).lstrip("-") in ("pk", "id", queryset.model._meta.pk.attname)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """Page of rows plus the current query string without ``page`` for the pagination links."""
    page_obj = KeyFirstPaginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page_obj, "rows": page_obj.object_list, "querystring_without_page": params.urlencode()}


@dataclass(frozen=True)
class JobPages:
    """What differs between bookings and warehouse jobs, for the shared view bodies."""

    model: type[Job]
    form_class: type[JobForm]
    formset_class: type[BaseChargeFormSet]
    filter_class: type[JobFilter]
    create: Callable[..., Job]
    update: Callable[..., Job]
    namespace: str
    template_dir: str
    noun: str
    flow: Sequence[str]


def job_list_page(request: HttpRequest, *, pages: JobPages) -> HttpResponse:
    tenant = request_tenant(request)
    queryset = job_list(tenant=tenant, model=pages.model)
    job_filter = pages.filter_class(request.GET or None, queryset=queryset, tenant=tenant)
    rows = job_filter.qs if job_filter.is_bound else queryset
    page = paginate(request, rows)
    page["rows"] = notes_unread_attach(jobs=job_totals_attach(jobs=page["rows"]))
    context = {
        "filter": job_filter,
        "selected_customer": job_filter.selected_customer(),
        "filtered": any(value for key, value in request.GET.items() if key not in ("page", "customer_q")),
        "noun": pages.noun,
        **page,
    }
    return render(request, f"{pages.template_dir}/list.html", context)


def job_detail_page(request: HttpRequest, pk: int, *, pages: JobPages) -> HttpResponse:
    job = tenant_get_object_or_404(request, pages.model.objects.select_related("customer"), pk=pk)  # type: ignore[attr-defined]
    charges = job_charges(job=job)
    invoice = job_active_invoice(job=job)
    # Opening the job reads the customer's notes; the page still marks the ones that were new.
    unread_note_ids = notes_mark_read(job=job, by_customer=False)
    context = {
        "unread_note_ids": unread_note_ids,
        "job": job,
        "charges": charges,
        "charges_total": job_charges_total(charges=charges),
        "invoice": invoice,
        "is_invoiced": job.status == INVOICED or invoice is not None,  # type: ignore[attr-defined]
        "noun": pages.noun,
    }
    return render(request, f"{pages.template_dir}/detail.html", context)


def _save(request: HttpRequest, pages: JobPages, job: Job | None) -> HttpResponse:
    tenant = request_tenant(request)
    instance = job or pages.model(tenant=tenant)
    # "New booking" from a customer page arrives with ?customer=<pk>; the form's queryset keeps it in-tenant.
    initial = {"customer": request.GET.get("customer")} if job is None else None
    form = pages.form_class(request.POST or None, instance=instance, tenant=tenant, initial=initial)
    formset = pages.formset_class(
        request.POST or None, instance=instance, prefix="charges", form_kwargs={"tenant": tenant}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = dict(form.cleaned_data)
        customer = fields.pop("customer")
        try:
            if job is None:
                saved = pages.create(tenant=tenant, customer=customer, charges=formset.charge_data(), **fields)
                messages.success(request, f"{pages.noun.capitalize()} {saved.number} created.")
            else:
                saved = pages.update(job=job, customer=customer, charges=formset.charge_data(), **fields)
                messages.success(request, f"{pages.noun.capitalize()} {saved.number} saved.")
        except JobLockedError as exc:
            messages.error(request, exc.messages[0])
            return redirect(f"{pages.namespace}:detail", pk=job.pk if job else 0)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(f"{pages.namespace}:detail", pk=saved.pk)
    context = {"form": form, "formset": formset, "job": job, "noun": pages.noun}
    return render(request, f"{pages.template_dir}/form.html", context)


def job_create_page(request: HttpRequest, *, pages: JobPages) -> HttpResponse:
    return _save(request, pages, None)


def job_edit_page(request: HttpRequest, pk: int, *, pages: JobPages) -> HttpResponse:
    job = tenant_get_object_or_404(request, pages.model, pk=pk)
    if job.status == INVOICED:  # type: ignore[attr-defined]
        messages.info(request, f"{job.number} has been invoiced, so it is read-only.")
        return redirect(f"{pages.namespace}:detail", pk=job.pk)
    return _save(request, pages, job)
