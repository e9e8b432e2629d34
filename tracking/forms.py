"""Forms for adding status events: one job, or many selected jobs."""

from __future__ import annotations

from typing import Any

from django import forms

from tracking.models import EventCode


class StatusEventForm(forms.Form):
    """Parsed under the tenant's time zone (the views activate it), so 09:00 means 09:00 local."""

    code = forms.ChoiceField(label="Status", choices=EventCode.choices)
    occurred_at = forms.DateTimeField(
        label="When",
        required=False,
        help_text="Blank: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(max_length=200, required=False)
    comment = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BulkStatusEventForm(StatusEventForm):
    """The event plus the selected jobs, posted as composite ids ``b:12`` / ``w:7``."""

    jobs = forms.MultipleChoiceField(label="Jobs", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, job_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jobs"].choices = job_choices  # type: ignore[attr-defined]
