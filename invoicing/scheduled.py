"""Consolidated invoices raised on a schedule (the customer's weekly / monthly rule).

Weekly customers are invoiced on Mondays, monthly customers on the 1st, by the tenant's own
calendar. The task runs hourly, so "at most once that day" is enforced here: a customer that
already has a live invoice dated today is skipped, which also makes a rerun harmless.
"""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef

from customers.models import ConsolidationSchedule, Customer, InvoicingRule
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import invoices_raise, tenant_today
from tenancy.models import Tenant

logger = logging.getLogger(__name__)


def invoices_raise_scheduled(*, tenant: Tenant) -> list[Invoice]:
    """Raise today's scheduled consolidated invoices for one tenant; they go straight to Ready to Export."""
    today = tenant_today(tenant=tenant)
    due = []
    if today.weekday() == 0:
        due.append(ConsolidationSchedule.WEEKLY)
    if today.day == 1:
        due.append(ConsolidationSchedule.MONTHLY)
    if not due:
        return []
    invoiced_today = Invoice.objects.filter(customer=OuterRef("pk"), date=today).exclude(status=InvoiceStatus.VOID)
    customers = list(
        Customer.objects.filter(
            tenant=tenant, invoicing_rule=InvoicingRule.CONSOLIDATED, consolidation_schedule__in=due
        ).exclude(Exists(invoiced_today))
    )
    if not customers:
        return []
    invoices = invoices_raise(tenant=tenant, customers=customers, mark_ready=True)
    logger.info("scheduled consolidation raised %d invoices for tenant %s", len(invoices), tenant.pk)
    return invoices
