"""``{% job_timeline job %}``: the staff job page's timeline panel, without touching the job views."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from jobs.models import Job
from jobs.refs import job_code
from tracking.forms import StatusEventForm
from tracking.links import tracking_link_path, tracking_links_live
from tracking.selectors import status_timeline

register = template.Library()


@register.inclusion_tag("tracking/_timeline_panel.html", takes_context=True)
def job_timeline(context: dict[str, Any], job: Job) -> dict[str, Any]:
    code = job_code(job)
    links = list(tracking_links_live(job=job))
    for link in links:
        link.path = tracking_link_path(link=link)  # type: ignore[attr-defined]
    return {
        "links": links,
        "link_url_name": "tracking:booking_link_create" if code == "b" else "tracking:warehouse_link_create",
        "site_url": str(settings.SITE_URL).rstrip("/"),
        "job": job,
        "events": list(status_timeline(job=job)),
        "form": StatusEventForm(),
        "add_url_name": "tracking:booking_event_add" if code == "b" else "tracking:warehouse_event_add",
        "tz_name": job.tenant.timezone,
        "csrf_token": context.get("csrf_token"),
    }
