"""Forms of Settings → Users."""

from __future__ import annotations

from django import forms

from tenancy.models import ROLE_DESCRIPTIONS, STAFF_ROLES


def staff_role_choices() -> list[tuple[str, str]]:
    return [(str(role), f"{role.label} — {ROLE_DESCRIPTIONS[role]}") for role in STAFF_ROLES]


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail", max_length=254)
    full_name = forms.CharField(label="Name", max_length=200, required=False)
    role = forms.ChoiceField(label="Role", choices=staff_role_choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=staff_role_choices)
