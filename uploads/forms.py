"""The upload form: which kind of jobs, the file, and whether to skip references that exist."""

from __future__ import annotations

from django import forms

from uploads.files import UploadFileError, file_check
from uploads.models import UploadKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=UploadKind.choices, label="The file holds")
    file = forms.FileField(label="File (.xlsx or .csv)", allow_empty_file=True)
    skip_existing = forms.BooleanField(
        required=False,
        label="Skip rows whose Customer ref already exists for that customer",
        help_text="Otherwise such rows are errors and nothing is created until they are fixed.",
    )

    def clean_file(self) -> object:
        file = self.cleaned_data["file"]
        try:
            self.file_format = file_check(name=file.name or "", size=file.size or 0, stream=file).format
        except UploadFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return file


class CommitForm(forms.Form):
    confirm_duplicate = forms.BooleanField(required=False, label="Commit anyway")


class SkipExistingForm(forms.Form):
    skip_existing = forms.BooleanField(required=False)
