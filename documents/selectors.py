"""Reads of documents: a job's files, and one file for a download that is allowed."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from customers.models import Customer
from documents.models import Document
from jobs.models import Job
from jobs.refs import job_link
from tenancy.models import Tenant


def document_list(*, job: Job) -> QuerySet[Document]:
    return Document.objects.filter(tenant_id=job.tenant_id, **job_link(job))


def document_of_tenant(*, tenant: Tenant, public_id: Any) -> Document | None:
    return Document.objects.filter(tenant=tenant, public_id=public_id).first()


def document_of_customer(*, customer: Customer, public_id: Any) -> Document | None:
    """A document of one of this customer's jobs, whichever kind of job it hangs on."""
    own_job = Q(booking__customer=customer) | Q(warehouse_job__customer=customer)
    return Document.objects.filter(own_job, tenant_id=customer.tenant_id, public_id=public_id).first()
