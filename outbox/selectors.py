"""Reads of the outbox for staff: what was sent, what is waiting, what failed."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from outbox.models import EmailStatus, OutboundEmail
from tenancy.models import Tenant


def email_list(*, tenant: Tenant) -> QuerySet[OutboundEmail]:
    """The tenant's messages, failed ones first, then newest first."""
    failed_first = Case(When(status=EmailStatus.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return OutboundEmail.objects.filter(tenant=tenant).order_by(failed_first, "-id")


def email_failed_count(*, tenant: Tenant) -> int:
    return OutboundEmail.objects.filter(tenant=tenant, status=EmailStatus.FAILED).count()
