"""What the SDK sends to the sandbox and what the sandbox answers both validate against Xero's OpenAPI
documents (vendored in integrations/xero/sandbox/openapi), checked with openapi-core on the sandbox's request log."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openapi_core import OpenAPI
from xero_python.accounting import Contact, Contacts, CurrencyCode, Invoice, Invoices, LineAmountTypes, LineItem
from xero_python.accounting import LineItemTracking as Tracking
from xero_python.exceptions import AccountingBadRequestException

from integrations.xero.sandbox import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID, schema
from integrations.xero.sandbox.schema import ACCOUNTING_SPEC, IDENTITY_SPEC, exchange_errors, load_openapi, spec_dir

AU = DEMO_AU_ORG_ID


def _spec(name: str) -> OpenAPI:
    path = spec_dir() / name
    assert path.exists(), f"Xero OpenAPI document missing at {path} (set XERO_OPENAPI_DIR)"
    return load_openapi(str(path))


@pytest.fixture(scope="session")
def accounting_spec() -> OpenAPI:
    return _spec(ACCOUNTING_SPEC)


@pytest.fixture(scope="session")
def identity_spec() -> OpenAPI:
    return _spec(IDENTITY_SPEC)


def _drive_the_sdk(sdk: Any) -> None:
    """Every accounting call the product makes, with successes and failures."""
    api = sdk.accounting
    api.get_organisations(AU)
    api.get_accounts(AU)
    api.get_tax_rates(AU)
    api.get_tracking_categories(AU)
    api.get_branding_themes(AU)
    api.get_currencies(AU)  # read on connect; the pre-flight check compares invoice currencies with it
    contacts = Contacts(contacts=[Contact(name="Acme Pty", contact_number="C-1", email_address="ap@acme.example")])
    acme = api.create_contacts(AU, contacts, summarize_errors=False).contacts[0]
    api.create_contacts(AU, Contacts(contacts=[Contact(name="Acme Pty")]), summarize_errors=False)
    api.update_or_create_contacts(AU, Contacts(contacts=[Contact(contact_id=acme.contact_id, account_number="A-1")]))
    api.get_contacts(AU, where='ContactNumber=="C-1" OR Name=="Acme Pty"')
    api.get_contacts(AU, search_term="acme", page=1)
    api.get_contacts(AU, i_ds=[acme.contact_id])
    line = LineItem(description="Freight SYD-MEL", quantity=2, unit_amount=150, account_code="200", tax_type="OUTPUT",
                    tracking=[Tracking(name="Region", option="North")])  # fmt: skip
    good = Invoice(type="ACCREC", contact=Contact(contact_id=acme.contact_id), invoice_number="FT-1", reference="PO-1",
                   date=dt.date(2026, 11, 25), due_date=dt.date(2026, 12, 25), currency_code=CurrencyCode.AUD,
                   line_amount_types=LineAmountTypes.EXCLUSIVE, status="AUTHORISED", url="http://ft.example/i/1",
                   line_items=[line])  # fmt: skip
    bad = Invoice(type="ACCREC", contact=Contact(contact_id=acme.contact_id), invoice_number="FT-2",
                  line_items=[LineItem(description="x", quantity=1, unit_amount=1, account_code="999")])  # fmt: skip
    created = api.create_invoices(AU, Invoices(invoices=[good, bad]), summarize_errors=False, idempotency_key="k1")
    api.create_invoices(AU, Invoices(invoices=[good, bad]), summarize_errors=False, idempotency_key="k1")
    with pytest.raises(AccountingBadRequestException):
        api.create_invoices(AU, Invoices(invoices=[bad]))
    invoice_id = created.invoices[0].invoice_id
    api.update_or_create_invoices(AU, Invoices(invoices=[Invoice(invoice_id=invoice_id, reference="PO-2")]))
    api.get_invoices(AU, invoice_numbers=["FT-1", "FT-9"], page=1)
    api.get_invoices(AU, i_ds=[invoice_id], statuses=["AUTHORISED"])
    api.get_invoice(AU, invoice_id)


def test_sdk_requests_and_sandbox_responses_match_the_accounting_spec(
    xero_sandbox: Any, xero_sandbox_sdk: Any, accounting_spec: OpenAPI
) -> None:
    _drive_the_sdk(xero_sandbox_sdk)
    entries = [e for e in xero_sandbox.control.requests() if e["path"].startswith("/api.xro/2.0/")]

    problems = {f"{e['method']} {e['path']} -> {e['status']}": exchange_errors(accounting_spec, e) for e in entries}

    assert len(entries) == 19
    assert {k: v for k, v in problems.items() if v["request"] or v["response"]} == {}


def test_connections_match_the_identity_spec(xero_sandbox: Any, xero_sandbox_sdk: Any, identity_spec: OpenAPI) -> None:
    connections = xero_sandbox_sdk.identity.get_connections()
    xero_sandbox_sdk.identity.delete_connection(next(c.id for c in connections if c.tenant_id == DEMO_NZ_ORG_ID))
    entries = xero_sandbox.control.requests(path="/connections")

    problems = [exchange_errors(identity_spec, e) for e in entries]

    assert [(e["method"], e["status"]) for e in entries] == [("GET", 200), ("DELETE", 204)]
    assert problems == [{"request": [], "response": []}] * 2


def test_the_validator_rejects_a_response_that_breaks_the_spec(
    xero_sandbox: Any, xero_sandbox_sdk: Any, accounting_spec: OpenAPI
) -> None:
    xero_sandbox_sdk.accounting.get_organisations(AU)
    (entry,) = xero_sandbox.control.requests(path="/Organisation")
    broken = copy.deepcopy(entry)
    broken["response"]["Organisations"][0]["OrganisationID"] = "not-a-uuid"
    broken["response"]["Organisations"][0]["Version"] = "MARS"

    problems = exchange_errors(accounting_spec, broken)

    assert problems["request"] == []
    assert len(problems["response"]) >= 1


def test_the_spec_directory_follows_xero_openapi_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XERO_OPENAPI_DIR", str(tmp_path))

    assert spec_dir() == tmp_path
    monkeypatch.delenv("XERO_OPENAPI_DIR")
    assert spec_dir() == Path(schema.__file__).resolve().parent / "openapi"
    assert (spec_dir() / ACCOUNTING_SPEC).is_file()
    assert (spec_dir() / IDENTITY_SPEC).is_file()
    assert "MIT" in (spec_dir() / "LICENSE").read_text()
