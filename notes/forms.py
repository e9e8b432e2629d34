from __future__ import annotations

from django import forms

from notes.models import NOTE_MAX_LENGTH


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note", max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH})
    )


class NotesSettingsForm(forms.Form):
    notes_email = forms.EmailField(
        label="Notes e-mail address",
        required=False,
        help_text="Where customers' notes from the portal are e-mailed. Blank: your admins.",
    )
