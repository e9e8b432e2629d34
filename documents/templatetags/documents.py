"""``{% job_documents job %}``: the staff job page's documents panel with its upload form."""

from __future__ import annotations

from typing import Any

from django import template

from documents.checks import ALLOWED_TYPES
from documents.forms import DocumentForm
from documents.selectors import document_list
from jobs.models import Job
from jobs.refs import job_code

register = template.Library()


@register.inclusion_tag("documents/_panel.html", takes_context=True)
def job_documents(context: dict[str, Any], job: Job) -> dict[str, Any]:
    return {
        "job": job,
        "documents": list(document_list(job=job)),
        "form": DocumentForm(),
        "upload_url_name": "documents:booking_upload" if job_code(job) == "b" else "documents:warehouse_upload",
        "accepted": ", ".join(sorted(set(ALLOWED_TYPES.values()))),
        "csrf_token": context.get("csrf_token"),
        "download_url_name": "documents:download",
    }
