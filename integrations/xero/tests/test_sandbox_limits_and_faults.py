"""Rate limits and injected faults, seen from the real SDK with urllib3 retries off (as the product runs it)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import urllib3
from xero_python.accounting import Contact, Contacts, Invoice, Invoices, LineItem
from xero_python.exceptions import HTTPStatusException, RateLimitException

from integrations.xero.sandbox import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID
from integrations.xero.sandbox.testing import sdk_clients

AU = DEMO_AU_ORG_ID
TRANSPORT_ERRORS = (urllib3.exceptions.MaxRetryError, urllib3.exceptions.ProtocolError, urllib3.exceptions.TimeoutError)


def _headers(sdk: Any, org_id: str = AU) -> dict[str, str]:
    _, status, headers = sdk.accounting.get_organisations(org_id, _return_http_data_only=False)
    assert status == 200
    return dict(headers)


def _invoices(sdk: Any, *numbers: str) -> Invoices:
    contact = sdk.accounting.create_contacts(AU, Contacts(contacts=[Contact(name="Acme Pty")])).contacts[0]
    line = LineItem(description="Freight", quantity=1, unit_amount=100, account_code="200", tax_type="OUTPUT")
    return Invoices(
        invoices=[
            Invoice(type="ACCREC", contact=Contact(contact_id=contact.contact_id), invoice_number=n, line_items=[line])
            for n in numbers
        ]
    )


def test_every_api_response_carries_the_rate_limit_headers(xero_sandbox_sdk: Any) -> None:
    first = _headers(xero_sandbox_sdk)
    second = _headers(xero_sandbox_sdk)

    assert (first["X-MinLimit-Remaining"], second["X-MinLimit-Remaining"]) == ("59", "58")
    assert (first["X-DayLimit-Remaining"], second["X-DayLimit-Remaining"]) == ("4999", "4998")
    assert int(second["X-AppMinLimit-Remaining"]) == 9998


def test_the_61st_call_in_a_minute_is_429_with_retry_after(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    for _ in range(60):
        xero_sandbox_sdk.accounting.get_organisations(AU)

    with pytest.raises(RateLimitException) as error:
        xero_sandbox_sdk.accounting.get_organisations(AU)

    assert error.value.rate_limit == "minute"
    assert 1 <= int(error.value.headers["Retry-After"]) <= 60
    assert error.value.headers["X-MinLimit-Remaining"] == "0"
    assert _headers(xero_sandbox_sdk, DEMO_NZ_ORG_ID)["X-MinLimit-Remaining"] == "59"  # limits are per organisation
    xero_sandbox.control.advance_clock(61)
    assert _headers(xero_sandbox_sdk)["X-MinLimit-Remaining"] == "59"


def test_the_day_limit_answers_429_day_with_a_long_retry_after(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.config(day_limit=3)
    for _ in range(3):
        xero_sandbox_sdk.accounting.get_organisations(AU)

    with pytest.raises(RateLimitException) as error:
        xero_sandbox_sdk.accounting.get_organisations(AU)

    assert error.value.rate_limit == "day"
    assert int(error.value.headers["Retry-After"]) > 80000


def test_a_sixth_concurrent_call_is_429_concurrent(xero_sandbox: Any) -> None:
    xero_sandbox.control.config(latency_seconds=0.8)  # wide enough for a loaded CI box
    token = xero_sandbox.control.issue_token()
    clients = [sdk_clients(xero_sandbox.base_url, token) for _ in range(6)]
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def call(sdk: Any) -> None:
        barrier.wait()
        try:
            sdk.accounting.get_organisations(AU)
            outcomes.append("ok")
        except RateLimitException as exc:
            outcomes.append(f"429 {exc.rate_limit} {exc.headers['Retry-After']}")

    threads = [threading.Thread(target=call, args=(sdk,)) for sdk in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == ["429 concurrent 1"] + ["ok"] * 5


def test_limits_can_be_switched_off(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.config(rate_limits_enabled=False)

    for _ in range(70):
        xero_sandbox_sdk.accounting.get_organisations(AU)

    assert xero_sandbox.control.stats()["calls"]["GET /api.xro/2.0/Organisation"] == 70


def test_a_429_fault_fires_the_given_number_of_times(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.add_fault("429", method="GET", path="/Organisation", times=2, retry_after=7)

    outcomes = []
    for _ in range(3):
        try:
            xero_sandbox_sdk.accounting.get_organisations(AU)
            outcomes.append("ok")
        except RateLimitException as exc:
            outcomes.append(exc.headers["Retry-After"])

    assert outcomes == ["7", "7", "ok"]


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_faults(xero_sandbox: Any, xero_sandbox_sdk: Any, status: int) -> None:
    invoices = _invoices(xero_sandbox_sdk, "FT-1")
    xero_sandbox.control.add_fault(str(status), method="PUT", path="/Invoices")

    with pytest.raises(HTTPStatusException) as error:
        xero_sandbox_sdk.accounting.create_invoices(AU, invoices, summarize_errors=False)

    assert error.value.status == status
    assert xero_sandbox.control.invoices(AU) == []


def test_a_reset_fault_drops_the_connection_before_anything_is_stored(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    invoices = _invoices(xero_sandbox_sdk, "FT-1")
    xero_sandbox.control.add_fault("reset", method="PUT", path="/Invoices")

    with pytest.raises(TRANSPORT_ERRORS):
        xero_sandbox_sdk.accounting.create_invoices(AU, invoices, summarize_errors=False)

    assert xero_sandbox.control.invoices(AU) == []
    assert xero_sandbox_sdk.accounting.create_invoices(AU, invoices).invoices[0].invoice_number == "FT-1"


def test_commit_then_timeout_stores_the_invoices_but_never_answers(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    invoices = _invoices(xero_sandbox_sdk, "FT-1", "FT-2")
    xero_sandbox.control.add_fault("commit_then_timeout", method="PUT", path="/Invoices", hold_seconds=30)

    with pytest.raises(TRANSPORT_ERRORS):
        xero_sandbox_sdk.accounting.create_invoices(AU, invoices, summarize_errors=False, _request_timeout=(2, 1))

    found = xero_sandbox_sdk.accounting.get_invoices(AU, invoice_numbers=["FT-1", "FT-2"]).invoices
    assert sorted(i.invoice_number for i in found) == ["FT-1", "FT-2"]
    (logged,) = xero_sandbox.control.requests(method="PUT", path="/Invoices")
    assert (logged["fault"], logged["outcome"], logged["committed_status"]) == ("commit_then_timeout", "hold", 200)


def test_commit_then_timeout_closes_after_the_hold(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    invoices = _invoices(xero_sandbox_sdk, "FT-1")
    xero_sandbox.control.add_fault("commit_then_timeout", path="/Invoices", hold_seconds=0.2)

    with pytest.raises(TRANSPORT_ERRORS):
        xero_sandbox_sdk.accounting.create_invoices(AU, invoices, _request_timeout=10)

    assert [i["InvoiceNumber"] for i in xero_sandbox.control.invoices(AU)] == ["FT-1"]


def test_faults_match_tenant_and_can_skip_calls(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.add_fault("500", path="/Organisation", tenant_id=AU, skip=1)

    xero_sandbox_sdk.accounting.get_organisations(DEMO_NZ_ORG_ID)
    xero_sandbox_sdk.accounting.get_organisations(AU)
    with pytest.raises(HTTPStatusException):
        xero_sandbox_sdk.accounting.get_organisations(AU)

    assert xero_sandbox.control.faults()[0]["fired"] == 1
    xero_sandbox.control.clear_faults()
    assert xero_sandbox.control.faults() == []


def test_a_429_fault_can_claim_the_day_limit(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    xero_sandbox.control.add_fault("429", path="/Invoices", problem="day", retry_after=43200)

    with pytest.raises(RateLimitException) as error:
        xero_sandbox_sdk.accounting.get_invoices(AU)

    assert (error.value.rate_limit, error.value.headers["Retry-After"]) == ("day", "43200")
