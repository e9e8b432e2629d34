"""Shape one of our invoices as a xero-python ``Invoice`` (ACCREC) — no I/O.

Fields left ``None`` are omitted from the request by the SDK's serializer
(``xero_python.api_client.serializer.serialize_base_model`` skips ``None`` attributes), which is
how an absent Reference stays absent rather than being sent as an empty string.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from xero_python.accounting import Contact, CurrencyCode, Invoice, LineAmountTypes, LineItem, LineItemTracking
from xero_python.api_client.serializer import serialize

from freighttracker.validators import text_clean
from integrations.xero.export.references import line_description, reference_plan
from integrations.xero.models import XeroSettings
from invoicing.models import AmountsAre
from invoicing.models import Invoice as OurInvoice

_AMOUNTS_ARE = {AmountsAre.EXCLUSIVE: LineAmountTypes.EXCLUSIVE, AmountsAre.INCLUSIVE: LineAmountTypes.INCLUSIVE}
_LINE_AMOUNT_TYPES = {t.value: t for t in LineAmountTypes}
_UUID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def invoice_url_template() -> str:
    """Absolute URL of our invoice page with ``{public_id}`` to fill in (reversed once per batch)."""
    try:
        path = reverse("invoicing:detail", kwargs={"public_id": _UUID_PLACEHOLDER})
    except NoReverseMatch:  # the invoicing pages are not mounted (e.g. in a stripped-down test urlconf)
        path = f"/invoicing/{_UUID_PLACEHOLDER}/"
    return settings.SITE_URL + path.replace(_UUID_PLACEHOLDER, "{public_id}")


def _line_amount_types(*, invoice: OurInvoice, xero_settings: XeroSettings) -> LineAmountTypes:
    if xero_settings.line_amount_type:
        return _LINE_AMOUNT_TYPES[xero_settings.line_amount_type]
    return _AMOUNTS_ARE.get(invoice.amounts_are, LineAmountTypes.EXCLUSIVE)  # type: ignore[call-overload]


def _tracking(xero_settings: XeroSettings) -> list[LineItemTracking] | None:
    items = [
        LineItemTracking(name=t.get("name"), option=t.get("option"))
        for t in (xero_settings.tracking or [])[:2]
        if t.get("name") and t.get("option")
    ]
    return items or None


def _currency(code: str) -> CurrencyCode | None:
    try:
        return CurrencyCode(code)
    except ValueError:
        return None


# Control characters are refused on entry (freighttracker/validators.py); text_clean() below is the
# last line of defence for rows stored before those rules or written around the forms and services.


def invoice_payload_build(
    *, invoice: OurInvoice, xero_settings: XeroSettings, contact_id: str, url_template: str | None = None
) -> Invoice:
    """The Xero invoice for ``invoice``.

    Expects ``invoice.customer``, ``invoice.invoice_jobs`` (active ones, job order) and
    ``invoice.lines`` prefetched — the batch exporter loads 50 at a time with three queries.
    """
    jobs = [ij for ij in invoice.invoice_jobs.all() if ij.active]
    customer = invoice.customer
    plan = reference_plan(
        send_customer_reference=xero_settings.send_customer_reference,
        reference_rule=xero_settings.reference_rule,
        customer_override=customer.send_reference,
        job_references=[ij.customer_reference for ij in jobs],
    )
    prefix_by_job = {ij.id: plan.line_prefixes[i] for i, ij in enumerate(jobs)}
    tracking = _tracking(xero_settings)
    tax_map: dict[str, str] = xero_settings.tax_type_map or {}
    line_items = [
        LineItem(
            description=line_description(
                prefix=text_clean(prefix_by_job.get(line.invoice_job_id)) if line.invoice_job_id else None,
                description=text_clean(line.description) or "",
            ),
            quantity=float(line.quantity),
            unit_amount=float(line.unit_price),
            account_code=text_clean(line.account_code or xero_settings.default_account_code) or None,
            tax_type=tax_map.get(line.tax_code) or None,
            tracking=tracking,
        )
        for line in invoice.lines.all()
    ]
    url = (url_template or invoice_url_template()).format(public_id=invoice.public_id)
    return Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        invoice_number=text_clean(invoice.number),
        reference=text_clean(plan.reference),
        date=invoice.date,
        due_date=invoice.due_date,
        currency_code=_currency(invoice.currency),
        line_amount_types=_line_amount_types(invoice=invoice, xero_settings=xero_settings),
        status=xero_settings.invoice_status,
        branding_theme_id=xero_settings.branding_theme_id or None,
        url=url,
        line_items=line_items,
    )


def payload_serialize(invoices: Iterable[Invoice]) -> list[dict[str, Any]]:
    """What the SDK will put on the wire for each invoice (for the attempt record and the key)."""
    return [serialize(inv) for inv in invoices]
