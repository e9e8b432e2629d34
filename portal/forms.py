from __future__ import annotations

from django import forms


class PortalInviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    full_name = forms.CharField(label="Name", max_length=200, required=False)

    def clean_full_name(self) -> str:
        name = str(self.cleaned_data.get("full_name", ""))
        if any(ch in name for ch in "\r\n\x00"):
            raise forms.ValidationError("A name is one line.")
        return name.strip()
