"""The Xero settings form. Choices come from the connected organisation (cached in XeroOrgCache)."""

from __future__ import annotations

from typing import Any

from django import forms

from integrations.xero.models import LineAmountType, ReferenceRule, XeroInvoiceStatus, XeroSettings
from tenancy.models import Tenant

REFERENCE_RULE_HELP = (
    "For an invoice that covers several jobs. "
    "All references: the invoice Reference lists the jobs' distinct non-blank references, joined with "
    "“, ” in job order and cut to 255 characters with a “+N more” tail. "
    "Per line: each line's description starts with its job's reference; the invoice Reference is the "
    "common reference when all jobs share one, otherwise it is left empty. "
    "Both: the invoice Reference as in “All references” and each line prefixed as in “Per line”. "
    "A single-job invoice always sends its job's reference; blank references are skipped."
)
SEND_REFERENCE_HELP = {
    True: "Now on: each invoice sends its jobs' customer references as its Reference, by the rule below.",
    False: "Now off: no invoice carries a Reference.",
}
SEND_REFERENCE_OVERRIDE_HELP = (
    " A customer's own “Send customer reference” override (always / never) wins over this switch; “inherit” follows it."
)
_SEP = "\x1f"  # between tracking category and option in one choice value


def _with_current(choices: list[tuple[str, str]], current: str, blank: str) -> list[tuple[str, str]]:
    """Keep the saved value selectable even when the organisation no longer offers it."""
    values = {value for value, _ in choices}
    extra = [(current, f"{current} (not in Xero's list)")] if current and current not in values else []
    return [("", blank), *extra, *choices]


class XeroSettingsForm(forms.Form):
    send_customer_reference = forms.BooleanField(required=False, label="Send Customer Reference")
    reference_rule = forms.ChoiceField(
        choices=ReferenceRule.choices, widget=forms.RadioSelect, help_text=REFERENCE_RULE_HELP
    )
    default_account_code = forms.ChoiceField(
        required=False,
        label="Default sales account",
        help_text="Every charge line without an account of its own is sent to Xero with this account when it is "
        "exported (changing it applies to invoices not yet exported). Lines that name an account keep theirs.",
    )
    tracking_1 = forms.ChoiceField(required=False, label="Tracking category 1")
    tracking_2 = forms.ChoiceField(required=False, label="Tracking category 2")
    branding_theme_id = forms.ChoiceField(required=False, label="Branding theme")
    invoice_status = forms.ChoiceField(choices=XeroInvoiceStatus.choices, label="Create invoices as")
    line_amount_type = forms.ChoiceField(choices=LineAmountType.choices, required=False, label="Line amounts")
    nightly_export_enabled = forms.BooleanField(required=False, label="Nightly export")
    nightly_export_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(
        self,
        *args: Any,
        tenant: Tenant,
        instance: XeroSettings,
        choices: dict[str, list[dict[str, Any]]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", self._initial(instance))
        super().__init__(*args, **kwargs)
        self.tax_codes = list(tenant.tax_codes.all())
        self.fields["nightly_export_time"].help_text = f"Local time in {tenant.timezone}."
        # Describes what is saved now (not the unsaved switch), so the page never contradicts itself.
        self.fields["send_customer_reference"].help_text = (
            SEND_REFERENCE_HELP[bool(instance.send_customer_reference)] + SEND_REFERENCE_OVERRIDE_HELP
        )

        accounts = choices.get("accounts", [])
        revenue = [a for a in accounts if a.get("class") == "REVENUE"] or accounts
        self._choices_set(
            "default_account_code",
            _with_current(
                [(a["code"], f"{a['code']} — {a['name']}") for a in revenue],
                instance.default_account_code,
                "— choose —",
            ),
        )
        tax_rates = [t for t in choices.get("tax_rates", []) if t.get("revenue", True)]
        tax_choices = [(t["tax_type"], f"{t['name']} ({t['tax_type']}, {t.get('rate')}%)") for t in tax_rates]
        for code in self.tax_codes:
            current = (instance.tax_type_map or {}).get(code.code, "")
            self.fields[f"tax_{code.code}"] = forms.ChoiceField(
                required=False,
                label=f"Xero tax type for {code.code} ({code.name})",
                choices=_with_current(tax_choices, current, "— choose —"),
                help_text="Blank: Xero applies the line account's own tax type (the pre-flight check holds back "
                "an invoice whose rate would then differ from ours).",
                initial=current,
            )
        tracking_choices = [
            (f"{c['name']}{_SEP}{option}", f"{c['name']}: {option}")
            for c in choices.get("tracking_categories", [])
            for option in c.get("options", [])
        ]
        saved = list(instance.tracking or [])[:2]
        for index, slot in enumerate(("tracking_1", "tracking_2")):
            current = f"{saved[index]['name']}{_SEP}{saved[index]['option']}" if index < len(saved) else ""
            self._choices_set(slot, _with_current(tracking_choices, current, "— none —"))
        self._choices_set(
            "branding_theme_id",
            _with_current(
                [(b["id"], b["name"]) for b in choices.get("branding_themes", [])],
                instance.branding_theme_id,
                "— Xero's default —",
            ),
        )

    def _choices_set(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    @staticmethod
    def _initial(instance: XeroSettings) -> dict[str, Any]:
        saved = list(instance.tracking or [])[:2]
        initial: dict[str, Any] = {
            name: getattr(instance, name)
            for name in (
                "send_customer_reference",
                "reference_rule",
                "default_account_code",
                "branding_theme_id",
                "invoice_status",
                "line_amount_type",
                "nightly_export_enabled",
                "nightly_export_time",
            )
        }
        for index, slot in enumerate(("tracking_1", "tracking_2")):
            initial[slot] = f"{saved[index]['name']}{_SEP}{saved[index]['option']}" if index < len(saved) else ""
        return initial

    def tax_fields(self) -> list[forms.BoundField]:
        return [self[f"tax_{code.code}"] for code in self.tax_codes]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("tracking_1") or "", cleaned.get("tracking_2") or ""
        if first and second and first.split(_SEP)[0] == second.split(_SEP)[0]:
            self.add_error("tracking_2", "Choose a different tracking category than in slot 1.")
        return cleaned

    def settings_data(self) -> dict[str, Any]:
        """The cleaned form as XeroSettings field values (for xero_settings_update)."""
        data = self.cleaned_data
        tracking = []
        for slot in ("tracking_1", "tracking_2"):
            if data.get(slot):
                name, option = data[slot].split(_SEP, 1)
                tracking.append({"name": name, "option": option})
        return {
            "send_customer_reference": data["send_customer_reference"],
            "reference_rule": data["reference_rule"],
            "default_account_code": data.get("default_account_code") or "",
            "tax_type_map": {c.code: data[f"tax_{c.code}"] for c in self.tax_codes if data.get(f"tax_{c.code}")},
            "tracking": tracking,
            "branding_theme_id": data.get("branding_theme_id") or "",
            "invoice_status": data["invoice_status"],
            "line_amount_type": data.get("line_amount_type") or "",
            "nightly_export_enabled": data["nightly_export_enabled"],
            "nightly_export_time": data["nightly_export_time"],
        }
