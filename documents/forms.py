from __future__ import annotations

from django import forms

from documents.models import DocumentKind


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=DocumentKind.choices)
    file = forms.FileField(label="File", allow_empty_file=False)
