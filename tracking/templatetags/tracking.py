"""``{% job_timeline job %}``: the staff job page's timeline panel, without touching the job views."""

from __future__ import annotations

from typing import Any

from django import template

from jobs.models import Job
from jobs.refs import job_code
from tracking.forms import StatusEventForm
from tracking.selectors import status_timeline

register = template.Library()


@register.inclusion_tag("tracking/_timeline_panel.html", takes_context=True)
def job_timeline(context: dict[str, Any], job: Job) -> dict[str, Any]:
    code = job_code(job)
    return {
        "job": job,
        "events": list(status_timeline(job=job)),
        "form": StatusEventForm(),
        "add_url_name": "tracking:booking_event_add" if code == "b" else "tracking:warehouse_event_add",
        "tz_name": job.tenant.timezone,
        "csrf_token": context.get("csrf_token"),
    }
