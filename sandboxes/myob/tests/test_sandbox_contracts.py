"""Every exchange of a realistic session matches OUR written description of MYOB's contracts."""

from __future__ import annotations

import requests

from sandboxes.myob.pytest_plugin import MyobSandboxHandle
from sandboxes.myob.schema import errors_of, exchange_errors

from .helpers import Raw


def test_session_exchanges_match_the_contracts(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    token = myob_sandbox.token()
    raw.get("/GeneralLedger/Account")
    raw.get("/GeneralLedger/TaxCode")
    customer = raw.customer(name="Contract Co", display_id="CON1")
    raw.get("/Contact/Customer", **{"$filter": "DisplayID eq 'CON1'"})
    raw.post(
        "/Sale/Invoice/Service",
        raw.invoice_body(customer["UID"], number="C-1", JournalMemo="TMS invoice 1"),
        returnBody="true",
    )
    raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], number="C-2"))
    raw.get("/Sale/Invoice", **{"$filter": "Number eq 'C-1'"})
    raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], number="TOO-LONG-NUMBER"))  # a 400
    requests.post(
        myob_sandbox.token_url,
        data={
            "client_id": myob_sandbox.api_key,
            "client_secret": "s",
            "refresh_token": token["refresh_token"],
            "grant_type": "refresh_token",
        },
        timeout=10,
    )
    entries = myob_sandbox.control.requests()
    assert len(entries) >= 9
    problems = {f"{e['method']} {e['path']} -> {e['status']}": exchange_errors(e) for e in entries}
    assert {k: v for k, v in problems.items() if v["request"] or v["response"]} == {}
    assert any(e["status"] == 400 for e in entries)


def test_the_contracts_catch_a_wrong_exchange() -> None:
    """The check can fail: a too-long Number, a POST with RowVersion, an error without MYOB's shape."""
    bad_invoice = {
        "Number": "X" * 14,
        "RowVersion": "1",
        "Date": "2026-12-01",
        "Customer": {"UID": "nope"},
        "Lines": [],
    }
    assert len(errors_of("ServiceInvoiceCreate", bad_invoice)) == 4
    assert errors_of("Error", {"Message": "oops"})
    assert errors_of(
        "ApiRequestHeaders", {"authorization": "Bearer t", "x-myobapi-key": "k", "x-myobapi-version": "v1"}
    )
    entry = {
        "method": "GET",
        "path": "/accountright/00000000-0000-0000-0000-000000000000/Sale/Order",
        "status": 200,
        "headers": {},
        "body": None,
        "response": {},
    }
    assert exchange_errors(entry)["request"] == [f"no contract for GET {entry['path']}"]
