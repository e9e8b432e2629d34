"""Line account codes chosen from the accounting organisation's own list once it has been read.

Used by the charge lines of jobs and the lines of an invoice. Before the list is read (no
organisation connected yet) the field stays free text; afterwards it is a select, with blank
meaning the Default sales account, and a saved code no longer in the list kept selectable (marked)
so an edit that does not touch it still saves.
"""

from __future__ import annotations

from django import forms

from integrations.xero.selectors import AccountOptions


def account_field_restrict(*, form: forms.BaseForm, options: AccountOptions, current: str) -> None:
    """Turn ``form``'s ``account_code`` into a select of ``options`` (no-op when the list is unread)."""
    if not options.choices:
        return
    known = {code for code, _ in options.choices}
    extra = [(current, f"{current} (not in Xero's list)")] if current and current not in known else []
    choices = [("", options.default_label), *extra, *options.choices]
    form.fields["account_code"] = forms.ChoiceField(
        choices=choices, required=False, label=form.fields["account_code"].label
    )
