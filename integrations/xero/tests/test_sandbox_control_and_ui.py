"""The sandbox's control API, its HTML pages and the ``xero_sandbox`` management command."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.core.management import CommandError, call_command
from xero_python.accounting import Contact, Invoice, Invoices, LineItem

from integrations.xero.sandbox import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID, SandboxControlError, SandboxServer

AU = DEMO_AU_ORG_ID


def _export_one(sdk: Any, contact_id: str, reference: str | None) -> Any:
    line = LineItem(description="Pallet <b>storage</b>", quantity=3, unit_amount=20, account_code="260")
    invoice = Invoice(type="ACCREC", contact=Contact(contact_id=contact_id), invoice_number="FT-77",
                      reference=reference, line_items=[line])  # fmt: skip
    return sdk.accounting.create_invoices(AU, Invoices(invoices=[invoice])).invoices[0]


def test_the_page_shows_invoices_with_reference_and_lines_escaped(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    (contact,) = xero_sandbox.control.add_contacts(AU, [{"Name": "Acme <Pty>", "ContactNumber": "C-1"}])
    _export_one(xero_sandbox_sdk, contact["ContactID"], "PO <42>")

    page = requests.get(f"{xero_sandbox.base_url}/", timeout=5)

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Demo Company (AU)" in page.text and "Demo Company (NZ)" in page.text
    assert "FT-77" in page.text and "PO &lt;42&gt;" in page.text and "Acme &lt;Pty&gt;" in page.text
    assert "Pallet &lt;b&gt;storage&lt;/b&gt;" in page.text and "<b>storage" not in page.text
    assert "Activity" in page.text and "/api.xro/2.0/Invoices" in page.text
    assert requests.get(f"{xero_sandbox.base_url}/_sandbox/ui", timeout=5).status_code == 200


def test_the_invoice_link_page_shows_one_invoice(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    (contact,) = xero_sandbox.control.add_contacts(AU, [{"Name": "Acme Pty"}])
    invoice = _export_one(xero_sandbox_sdk, contact["ContactID"], None)

    page = requests.get(f"{xero_sandbox.base_url}/sandbox/invoices/{invoice.invoice_id}", timeout=5)
    missing = requests.get(f"{xero_sandbox.base_url}/sandbox/invoices/{DEMO_NZ_ORG_ID}", timeout=5)

    assert page.status_code == 200 and "FT-77" in page.text and "(none)" in page.text and "60.00" in page.text
    assert missing.status_code == 404


def test_contacts_seeded_through_the_control_api_are_visible_to_the_sdk(
    xero_sandbox: Any, xero_sandbox_sdk: Any
) -> None:
    xero_sandbox.control.add_contacts(AU, [{"Name": "Typed Into Xero Ltd"}])

    found = xero_sandbox_sdk.accounting.get_contacts(AU, where='Name=="Typed Into Xero Ltd"').contacts

    assert len(found) == 1


def test_reset_forgets_everything_and_restores_the_default_config(xero_sandbox: Any) -> None:
    control = xero_sandbox.control
    control.add_contacts(AU, [{"Name": "Acme Pty"}])
    control.config(auto_approve=True, day_limit=10)
    control.add_fault("500")

    control.reset()

    assert control.contacts(AU) == [] and control.faults() == [] and control.requests() == []
    assert control.config()["auto_approve"] is False and control.config()["day_limit"] == 5000


def test_the_control_api_rejects_bad_input_clearly(xero_sandbox: Any) -> None:
    with pytest.raises(SandboxControlError, match="unknown config keys: colour"):
        xero_sandbox.control.config(colour="blue")
    with pytest.raises(SandboxControlError, match="fault kind must be one of"):
        xero_sandbox.control.add_fault("teapot")
    with pytest.raises(SandboxControlError, match="unknown organisation"):
        xero_sandbox.control.invoices("not-an-org")


def test_the_request_log_keeps_headers_and_bodies_and_can_be_cleared(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox_sdk.accounting.get_invoices(AU, invoice_numbers=["A", "B"])

    (entry,) = xero_sandbox.control.requests(path="/Invoices")
    xero_sandbox.control.clear_requests()

    assert entry["query"] == {"InvoiceNumbers": "A,B"}
    assert entry["headers"]["xero-tenant-id"] == AU and entry["status"] == 200
    assert entry["response"]["Invoices"] == []
    assert xero_sandbox.control.requests() == []


def test_stats_count_token_grants_and_calls_per_path(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox_sdk.accounting.get_organisations(AU)

    stats = xero_sandbox.control.stats()
    xero_sandbox.control.clear_stats()

    assert stats["calls"]["GET /api.xro/2.0/Organisation"] == 1
    assert stats["api_calls_total"] == 1
    assert xero_sandbox.control.stats()["calls"] == {}


def test_the_command_refuses_to_start_when_the_sandbox_is_disabled(settings: Any) -> None:
    settings.XERO_SANDBOX_ENABLED = False

    with pytest.raises(CommandError, match="disabled under these settings"):
        call_command("xero_sandbox", "--port", "0")


def test_the_command_serves_on_the_given_port_with_its_switches(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.XERO_SANDBOX_ENABLED = True
    seen: dict[str, Any] = {}

    def fake_serve(server: SandboxServer) -> None:
        seen.update(port=server.port, config=server.state.config.as_dict())

    monkeypatch.setattr(SandboxServer, "serve_forever", fake_serve)

    call_command("xero_sandbox", "--port", "8799", "--auto-approve", "--no-rate-limits")

    assert seen["port"] == 8799
    assert seen["config"]["auto_approve"] is True and seen["config"]["rate_limits_enabled"] is False


def test_the_request_log_keeps_only_the_configured_number_of_entries(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.config(max_log_entries=2, log_bodies=False)

    for _ in range(4):
        xero_sandbox_sdk.accounting.get_organisations(AU)

    entries = xero_sandbox.control.requests()
    assert len(entries) == 2 and entries[0]["body"] is None and entries[0]["response"] is None
    assert xero_sandbox.url == xero_sandbox.base_url


def test_a_bad_reject_pattern_is_refused_by_the_control_api(xero_sandbox: Any) -> None:
    with pytest.raises(SandboxControlError, match="400"):
        xero_sandbox.control.config(reject_invoice_number_regex="(")
