"""What one of our invoices looks like on the wire to Xero."""

from __future__ import annotations

import pytest
from django.test import override_settings

from integrations.xero.export.payload import invoice_payload_build, payload_serialize
from integrations.xero.models import XeroSettings
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def _load(inv: Invoice) -> Invoice:
    return Invoice.objects.select_related("customer").prefetch_related("invoice_jobs", "lines").get(pk=inv.pk)


def _wire(tenant, jobs, prefix="C", **settings_kw):
    xs, _ = XeroSettings.objects.get_or_create(tenant=tenant)
    for k, v in settings_kw.items():
        setattr(xs, k, v)
    customers = customers_bulk_make(tenant=tenant, count=1, prefix=prefix)
    inv = invoices_bulk_make(tenant=tenant, customers=customers, count=1, jobs=jobs, number_prefix=prefix)[0]
    obj = invoice_payload_build(invoice=_load(inv), xero_settings=xs, contact_id="c0ffee00-0000-0000-0000-000000000001")
    return payload_serialize([obj])[0], inv


@override_settings(SITE_URL="https://tms.example.com")
def test_payload_has_the_xero_shape(tenant):
    wire, inv = _wire(
        tenant,
        [("PO-1", ["Linehaul"])],
        default_account_code="200",
        tax_type_map={"GST": "OUTPUT"},
        tracking=[{"name": "Region", "option": "East"}],
        branding_theme_id="5d4dd402-c851-497e-aae1-9ff265c0d15a",
        invoice_status="AUTHORISED",
        send_customer_reference=True,
    )
    assert wire["Type"] == "ACCREC"
    assert wire["Contact"]["ContactID"] == "c0ffee00-0000-0000-0000-000000000001"
    assert wire["InvoiceNumber"] == inv.number
    assert wire["Date"].startswith("/Date(") and wire["DueDate"].startswith("/Date(")
    assert wire["CurrencyCode"] == "AUD"
    assert wire["LineAmountTypes"] == "Exclusive"
    assert wire["Status"] == "AUTHORISED"
    assert wire["BrandingThemeID"] == "5d4dd402-c851-497e-aae1-9ff265c0d15a"
    assert wire["Url"].startswith("https://tms.example.com/") and str(inv.public_id) in wire["Url"]
    assert wire["Reference"] == "PO-1"
    (line,) = wire["LineItems"]
    assert line == {
        "Description": "Linehaul",
        "Quantity": 1.0,
        "UnitAmount": 100.0,
        "AccountCode": "200",
        "TaxType": "OUTPUT",
        "Tracking": [{"Name": "Region", "Option": "East"}],
    }


def test_reference_key_is_absent_not_empty_when_toggle_off(tenant):
    wire, _ = _wire(tenant, [("PO-1", ["Linehaul"])], send_customer_reference=False)
    assert "Reference" not in wire
    assert "BrandingThemeID" not in wire


def test_line_amount_type_follows_the_invoice_when_setting_is_blank(tenant):
    wire, _ = _wire(tenant, [("PO-1", ["x"])], line_amount_type="")
    assert wire["LineAmountTypes"] == "Exclusive"
    wire, _ = _wire(tenant, [("PO-2", ["x"])], prefix="D", line_amount_type="NoTax")
    assert wire["LineAmountTypes"] == "NoTax"


def test_per_line_rule_prefixes_descriptions_in_the_payload(tenant):
    wire, _ = _wire(
        tenant,
        [("PO-1", ["Linehaul Sydney → Melbourne"]), ("PO-2", ["Storage"])],
        send_customer_reference=True,
        reference_rule="per_line",
    )
    assert "Reference" not in wire
    assert [li["Description"] for li in wire["LineItems"]] == [
        "PO-1 · Linehaul Sydney → Melbourne",
        "PO-2 · Storage",
    ]


def test_line_account_code_wins_over_default(tenant):
    xs, _ = XeroSettings.objects.get_or_create(tenant=tenant, defaults={"default_account_code": "200"})
    customers = customers_bulk_make(tenant=tenant, count=1)
    inv = invoices_bulk_make(tenant=tenant, customers=customers, count=1)[0]
    inv.lines.update(account_code="250")
    wire = payload_serialize([invoice_payload_build(invoice=_load(inv), xero_settings=xs, contact_id="x")])[0]
    assert wire["LineItems"][0]["AccountCode"] == "250"
