"""``{% job_notes job unread_ids %}``: the staff job page's notes thread and reply form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from jobs.models import Job
from jobs.refs import job_code
from notes.forms import NoteForm
from notes.selectors import note_thread

register = template.Library()


@register.inclusion_tag("notes/_thread_panel.html", takes_context=True)
def job_notes(context: dict[str, Any], job: Job, unread_ids: Iterable[int] = ()) -> dict[str, Any]:
    return {
        "job": job,
        "notes": list(note_thread(job=job)),
        "new_ids": set(unread_ids or ()),
        "form": NoteForm(),
        "add_url_name": "notes:booking_add" if job_code(job) == "b" else "notes:warehouse_add",
        "tz_name": job.tenant.timezone,
        "csrf_token": context.get("csrf_token"),
        "staff_side": True,
    }
