"""Staff side of the portal: invite a customer's people from the customer's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from customers.models import Customer
from portal.forms import PortalInviteForm
from portal.services import portal_user_invite
from tenancy.scoping import ANY_ROLE, role_required, tenant_get_object_or_404


@require_POST
@role_required(*ANY_ROLE)
def portal_invite(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = tenant_get_object_or_404(request, Customer, pk=customer_pk)
    form = PortalInviteForm(request.POST)
    user: Any = request.user
    if form.is_valid():
        try:
            invited = portal_user_invite(customer=customer, invited_by=user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Invitation sent to {invited.email}.")
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "Not invited: " + " ".join(errors))
    return redirect("customers:detail", pk=customer.pk)
