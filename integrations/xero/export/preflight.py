"""Pre-flight check: would Xero refuse this invoice? Answered from the organisation's cached lists.

Before anything is sent, each invoice is compared with the accounts, tax rates and currencies read
from the connected organisation (``XeroOrgCache``, read on connect and by "Refresh choices"). An
invoice that Xero would refuse — or would book with another tax than ours — is held back: it stays
on Ready to Export, flagged with the reason and a link to where it is fixed, instead of being sent
just to fail. A list that was never read is not checked (the check never blocks on a guess).

No I/O besides two or three queries; no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from xero_python.accounting import CurrencyCode

from integrations.xero.models import LineAmountType, XeroInvoiceStatus, XeroOrgCache, XeroSettings
from invoicing.models import Invoice, InvoiceLine
from tenancy.models import Tenant

#: How a run's message starts when the check held invoices back (the run keeps it when it finishes).
PREFLIGHT_HELD = "Held back by the pre-flight check"
#: Every currency code the Xero API accepts (the SDK's enum of Xero's OpenAPI CurrencyCode).
XERO_CURRENCY_CODES = frozenset(c.value for c in CurrencyCode if len(c.value) == 3)


@dataclass(frozen=True)
class PreflightProblem:
    """Why Xero would refuse the invoice, and where a person fixes it."""

    reason: str
    fix_url: str
    fix_label: str
    admin_only: bool = False  # the fix is on an admin-only page (Xero settings)


@dataclass(frozen=True)
class PreflightLists:
    """The tenant's Xero settings and the organisation's cached lists (None: never read)."""

    settings: XeroSettings
    accounts: dict[str, dict[str, Any]] | None
    tax_rates: dict[str, dict[str, Any]] | None
    currencies: set[str] | None
    base_currency: str

    @property
    def lines_needed(self) -> bool:
        """False when no line check can find anything (lists unread, blank accounts accepted)."""
        xs = self.settings
        unchosen = xs.invoice_status == XeroInvoiceStatus.AUTHORISED and not xs.default_account_code
        return self.accounts is not None or self.tax_rates is not None or unchosen


@dataclass
class PreflightSplit:
    """Invoice ids that may be sent, and those held back with their problems."""

    passing: list[int] = field(default_factory=list)
    held: dict[int, list[PreflightProblem]] = field(default_factory=dict)


def preflight_lists_get(*, tenant: Tenant) -> PreflightLists:
    settings_row = XeroSettings.objects.filter(tenant=tenant).first() or XeroSettings(tenant=tenant)  # read only
    cached = {row.kind: row.data for row in XeroOrgCache.objects.filter(tenant=tenant)}
    accounts = cached.get("accounts")
    tax_rates = cached.get("tax_rates")
    currencies = cached.get("currencies")
    return PreflightLists(
        settings=settings_row,
        accounts={a["code"]: a for a in accounts} if accounts else None,
        tax_rates={t["tax_type"]: t for t in tax_rates} if tax_rates else None,
        currencies={c["code"] for c in currencies} if currencies else None,
        base_currency=tenant.base_currency,
    )


def _settings_fix() -> tuple[str, str]:
    return reverse("xero:settings"), "Xero settings"


def _currency_problems(invoice: Invoice, lists: PreflightLists) -> list[PreflightProblem]:
    code = invoice.currency
    customer_fix = (reverse("customers:edit", args=[invoice.customer_id]), "Customer's currency")
    if code not in XERO_CURRENCY_CODES:
        return [PreflightProblem(f"Xero does not know the currency “{code}”.", *customer_fix)]
    if lists.currencies is not None and code not in lists.currencies:
        return [
            PreflightProblem(
                f"The currency {code} is not enabled in the Xero organisation "
                f"(enabled: {', '.join(sorted(lists.currencies))}). Enable it in Xero under Settings → Currencies "
                "and refresh the choices, or change the customer's currency and raise the invoice again.",
                *customer_fix,
            )
        ]
    return []


def _rate(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _percent(value: Decimal) -> str:
    """10.000 → "10", 12.5 → "12.5" (``normalize()`` alone would say "1E+1")."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _line_problems(invoice: Invoice, line: InvoiceLine, number: int, lists: PreflightLists) -> list[PreflightProblem]:
    xs = lists.settings
    label = f"Line {number} (“{line.description[:40]}”)"
    edit_fix = (reverse("invoicing:edit", args=[invoice.public_id]), "Edit the invoice")
    problems: list[PreflightProblem] = []
    account_code = line.account_code or xs.default_account_code
    account = None
    if not account_code:
        if xs.invoice_status == XeroInvoiceStatus.AUTHORISED:  # Xero accepts a DRAFT line without one
            problems.append(
                PreflightProblem(
                    f"{label} has no account and no Default sales account is chosen; "
                    "Xero needs one on an approved invoice.",
                    *_settings_fix(),
                    admin_only=True,
                )
            )
    elif lists.accounts is not None:
        account = lists.accounts.get(account_code)
        if account is None:
            where = "its account" if line.account_code else "the Default sales account"
            fix = edit_fix if line.account_code else _settings_fix()
            problems.append(
                PreflightProblem(
                    f"{label}: {where} {account_code} is not in the Xero organisation's chart of accounts.",
                    *fix,
                    admin_only=not line.account_code,
                )
            )
    if lists.tax_rates is None or xs.line_amount_type == LineAmountType.NO_TAX:
        return problems
    mapped = (xs.tax_type_map or {}).get(line.tax_code, "") if line.tax_code else ""
    if mapped:
        rate = lists.tax_rates.get(mapped)
        if rate is None or rate.get("revenue") is False:
            problems.append(
                PreflightProblem(
                    f"{label}: our tax code {line.tax_code} is mapped to the Xero tax type {mapped}, "
                    "which the organisation does not offer on sales.",
                    *_settings_fix(),
                    admin_only=True,
                )
            )
    elif account is not None and account.get("tax_type"):
        # No mapping: Xero applies the account's own tax type. Only a problem when its rate differs.
        default = lists.tax_rates.get(account["tax_type"]) or {}
        xero_rate = _rate(default.get("rate"))
        if xero_rate is not None and xero_rate != line.tax_rate:
            problems.append(
                PreflightProblem(
                    f"{label}: our tax code {line.tax_code or '(none)'} ({_percent(line.tax_rate)}%) has no Xero tax "
                    f"type, so Xero would apply account {account_code}'s {default['name']} ({_percent(xero_rate)}%) "
                    "and the totals would differ. Map the tax code in Xero settings.",
                    *_settings_fix(),
                    admin_only=True,
                )
            )
    return problems


def invoice_preflight(*, invoice: Invoice, lists: PreflightLists) -> list[PreflightProblem]:
    """The problems of one invoice (its ``lines`` prefetched), without repeats."""
    problems = _currency_problems(invoice, lists)
    if not lists.lines_needed:
        return problems
    for number, line in enumerate(invoice.lines.all(), start=1):
        problems.extend(_line_problems(invoice, line, number, lists))
    return list({p.reason: p for p in problems}.values())


def _lines_prefetch() -> Prefetch:
    return Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id"))


def invoices_preflight(*, tenant: Tenant, invoices: Iterable[Invoice]) -> dict[int, list[PreflightProblem]]:
    """Invoice id → problems, for the invoices that have any (for the Ready to Export page)."""
    lists = preflight_lists_get(tenant=tenant)
    items = list(invoices)
    if lists.lines_needed:
        prefetch_related_objects(items, _lines_prefetch())
    out = {}
    for invoice in items:
        problems = invoice_preflight(invoice=invoice, lists=lists)
        if problems:
            out[invoice.pk] = problems
    return out


def invoice_ids_preflight_split(*, tenant: Tenant, invoice_ids: Sequence[int]) -> PreflightSplit:
    """Split ids to export into those that pass and those held back (kept in id order)."""
    lists = preflight_lists_get(tenant=tenant)
    split = PreflightSplit()
    invoices = Invoice.objects.filter(tenant=tenant, id__in=invoice_ids).order_by("id")
    if lists.lines_needed:
        invoices = invoices.prefetch_related(_lines_prefetch())
    else:  # only the currency can be checked: no lines, few columns (an "Export all" of 10,000)
        invoices = invoices.only("id", "public_id", "currency", "customer_id")
    for invoice in invoices:
        problems = invoice_preflight(invoice=invoice, lists=lists)
        if problems:
            split.held[invoice.pk] = problems
        else:
            split.passing.append(invoice.pk)
    return split


def preflight_held_message(*, tenant: Tenant, held: dict[int, list[PreflightProblem]]) -> str:
    """One line for the run: how many were held back, and the first few with their first reason."""
    numbers = dict(Invoice.objects.filter(tenant=tenant, id__in=list(held)).values_list("id", "number"))
    shown = [f"{numbers.get(pk, pk)}: {problems[0].reason}" for pk, problems in list(held.items())[:3]]
    more = f" (and {len(held) - 3} more)" if len(held) > 3 else ""
    return f"{PREFLIGHT_HELD} ({len(held)}, see Ready to Export): " + "; ".join(shown) + more


def preflight_annotate(*, tenant: Tenant, invoices: Iterable[Invoice]) -> None:
    """Set ``preflight_problems`` on each invoice of a page (Ready to Export shows them on the row)."""
    items = list(invoices)
    found = invoices_preflight(tenant=tenant, invoices=items) if items else {}
    for invoice in items:
        invoice.preflight_problems = found.get(invoice.pk, [])  # type: ignore[attr-defined]
