"""Fault injection: what MYOB stored versus what the client heard; the request log; the HTML page."""

from __future__ import annotations

import pytest
import requests

from sandboxes.myob.pytest_plugin import MyobSandboxHandle

from .helpers import Raw

PATH = "/Sale/Invoice/Service"


def _post(raw: Raw, customer_uid: str, number: str, *, timeout: float = 10) -> requests.Response:
    return raw.post(PATH, raw.invoice_body(customer_uid, number=number), timeout=timeout)


def _numbers(myob_sandbox: MyobSandboxHandle) -> list[str]:
    return [i["Number"] for i in myob_sandbox.control.invoices(myob_sandbox.business_id)]


def test_commit_then_timeout_stores_the_invoice_and_never_answers(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    myob_sandbox.control.add_fault("commit_then_timeout", method="POST", path=PATH, hold_seconds=10)
    with pytest.raises(requests.ReadTimeout):
        _post(raw, customer["UID"], "T-1", timeout=0.5)
    assert _numbers(myob_sandbox) == ["T-1"]
    entry = myob_sandbox.control.requests(method="POST", path=PATH)[-1]
    assert (entry["fault"], entry["status"], entry["committed_status"]) == ("commit_then_timeout", None, 201)


@pytest.mark.parametrize(
    ("kind", "committed"),
    [("reset", False), ("commit_then_reset", True)],
)
def test_reset_before_or_after_commit(myob_sandbox: MyobSandboxHandle, kind: str, committed: bool) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    myob_sandbox.control.add_fault(kind, method="POST", path=PATH)
    with pytest.raises(requests.ConnectionError):
        _post(raw, customer["UID"], "R-1")
    assert _numbers(myob_sandbox) == (["R-1"] if committed else [])


@pytest.mark.parametrize(
    ("kind", "status", "name", "committed"),
    [
        ("504", 504, "GatewayTimeout", False),
        ("commit_then_504", 504, "GatewayTimeout", True),
        ("500", 500, "InternalError", False),
        ("503", 503, "ServiceUnavailable", False),
        ("rate_limit", 403, "RateLimitError", False),
        ("429", 429, "RateLimitError", False),
    ],
)
def test_error_answers(myob_sandbox: MyobSandboxHandle, kind: str, status: int, name: str, committed: bool) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    myob_sandbox.control.add_fault(kind, method="POST", path=PATH)
    response = _post(raw, customer["UID"], "E-1")
    assert response.status_code == status
    assert response.json()["Errors"][0]["Name"] == name
    assert _numbers(myob_sandbox) == (["E-1"] if committed else [])
    assert _post(raw, customer["UID"], "E-2").status_code == 201  # times=1: the next call goes through


def test_fault_skip_times_and_business_filter(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    myob_sandbox.control.add_fault(
        "500", method="POST", path=PATH, skip=1, times=2, business_id=myob_sandbox.business_id
    )
    statuses = [_post(raw, customer["UID"], f"S-{n}").status_code for n in range(4)]
    assert statuses == [201, 500, 500, 201]
    assert myob_sandbox.control.faults()[0]["fired"] == 2


def test_unknown_fault_kind_is_refused(myob_sandbox: MyobSandboxHandle) -> None:
    response = requests.post(f"{myob_sandbox.base_url}/_sandbox/faults", json={"kind": "explode"}, timeout=10)
    assert response.status_code == 400


def test_request_log_and_stats(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer(name="Logged Co")
    entries = myob_sandbox.control.requests(method="POST", path="/Contact/Customer")
    assert entries[-1]["body"]["CompanyName"] == "Logged Co"
    assert entries[-1]["headers"]["x-myobapi-version"] == "v2"
    assert entries[-1]["response"]["UID"] == customer["UID"]
    assert myob_sandbox.control.stats()["events"]["customers_created"] == 1


def test_html_page_lists_customers_and_invoices(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer(name="Page <Co>")
    body = raw.invoice_body(customer["UID"], number="HTML-1", CustomerPurchaseOrderNumber="PO-77")
    assert raw.post(PATH, body).status_code == 201
    page = requests.get(myob_sandbox.base_url + "/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "HTML-1" in page.text and "PO-77" in page.text
    assert "Page &lt;Co&gt;" in page.text and "Page <Co>" not in page.text
