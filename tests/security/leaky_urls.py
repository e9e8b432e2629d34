"""The project's URLconf plus three deliberately broken views, to prove the isolation crawl can fail.

Used only by ``test_isolation_crawl.test_the_crawl_catches_a_deliberately_unscoped_view``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from bookings.models import Booking
from customers.models import Customer
from freighttracker.urls import urlpatterns as project_urlpatterns
from invoicing.models import Invoice
from tenancy.scoping import ANY_ROLE, role_required


@role_required(*ANY_ROLE)
def customer_peek(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)  # the bug: not tenant_get_object_or_404
    if request.method == "POST":
        customer.billing_address = "overwritten"
        customer.save(update_fields=["billing_address"])
    return HttpResponse(customer.name)


@role_required(*ANY_ROLE)  # the bug: invoices are for admin and accounts only
def invoice_total(request: HttpRequest, public_id: str) -> HttpResponse:
    invoice = get_object_or_404(Invoice, public_id=public_id, tenant=request.tenant)  # type: ignore[attr-defined]
    return HttpResponse(str(invoice.total))


@role_required(*ANY_ROLE)
def booking_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk, tenant=request.tenant)  # type: ignore[attr-defined]
    if request.method == "POST":
        # the bug: the posted customer id is not looked up within the tenant
        booking.customer = get_object_or_404(Customer, pk=request.POST.get("customer"))
        booking.save(update_fields=["customer"])
        return HttpResponse("saved")
    options = "".join(
        f'<option value="{c.pk}">{c.name}</option>'
        for c in Customer.objects.filter(tenant=request.tenant)  # type: ignore[attr-defined]
    )
    return HttpResponse(f'<form method="post"><select name="customer">{options}</select></form>')


leaky = (
    [
        path("customers/<int:pk>/peek/", customer_peek, name="peek"),
        path("invoices/<uuid:public_id>/total/", invoice_total, name="total"),
        path("bookings/<int:pk>/reassign/", booking_reassign, name="reassign"),
    ],
    "leaky",
)

urlpatterns = [*project_urlpatterns, path("leaky/", include(leaky))]
