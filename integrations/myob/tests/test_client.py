"""The product's MYOB client over real HTTP against the sandbox: calls, headers, look-ups, error kinds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from integrations.myob.client import MyobClient
from integrations.myob.errors import MyobAuthError, MyobPermanent, MyobUncertain, MyobWait
from integrations.myob.payload import MyobInvoiceDraft, MyobLine, customer_payload, service_invoice_payload
from sandboxes.myob.pytest_plugin import MyobSandboxHandle
from sandboxes.myob.schema import exchange_errors

from .conftest import TokenBox, make_client


def _setup(client: MyobClient) -> tuple[str, str]:
    account = next(a for a in client.accounts_list() if a.display_id == "4-1000")
    tax = next(t for t in client.tax_codes_list() if t.code == "GST")
    return account.uid, tax.uid


def _customer(client: MyobClient, tax_uid: str, *, code: str = "ACME", name: str = "Acme Pty Ltd") -> str:
    payload = customer_payload(code=code, name=name, tax_code_uid=tax_uid, freight_tax_code_uid=tax_uid)
    return client.customer_create(payload=payload).uid


def _draft(
    customer_uid: str,
    account_uid: str,
    tax_uid: str,
    *,
    number: str = "INV-000001",
    invoice_id: int = 1,
    references: tuple[str, ...] = (),
) -> MyobInvoiceDraft:
    line = MyobLine(
        description="Linehaul SYD-MEL", total=Decimal("250.00"), account_uid=account_uid, tax_code_uid=tax_uid
    )
    return MyobInvoiceDraft(
        tms_invoice_id=invoice_id,
        tms_number=number,
        date=dt.date(2026, 12, 1),
        customer_uid=customer_uid,
        is_tax_inclusive=False,
        lines=[line],
        references=references,
    )


def test_lists_and_headers(myob_sandbox: MyobSandboxHandle) -> None:
    client, _ = make_client(myob_sandbox, cftoken="Administrator:")
    accounts = client.accounts_list()
    assert {"4-1000", "4-0000"} <= {a.display_id for a in accounts}
    assert next(a for a in accounts if a.display_id == "4-0000").is_header
    assert {t.code for t in client.tax_codes_list()} >= {"GST", "FRE"}
    headers = myob_sandbox.control.requests(path="/GeneralLedger/TaxCode")[-1]["headers"]
    assert headers["x-myobapi-key"] == myob_sandbox.api_key and headers["x-myobapi-version"] == "v2"
    assert headers["authorization"].startswith("Bearer ") and headers["x-myobapi-cftoken"] == "Administrator:"


def test_customer_find_by_display_id_then_exact_company_name(myob_client: tuple[MyobClient, TokenBox]) -> None:
    client, _ = myob_client
    _, tax = _setup(client)
    assert client.customer_find(display_id="OBR", company_name="O'Brien Haulage") is None
    uid = _customer(client, tax, code="OBR", name="O'Brien Haulage")
    found = client.customer_find(display_id="OBR", company_name="ignored")
    assert found is not None and found.uid == uid
    by_name = client.customer_find(display_id="TYPED-BY-HAND", company_name="O'Brien Haulage")
    assert by_name is not None and by_name.uid == uid
    assert client.customer_find(display_id="NONE", company_name="o'brien haulage") is None  # exact, case-sensitive


def test_customer_find_refuses_to_guess_between_two_cards(myob_client: tuple[MyobClient, TokenBox]) -> None:
    client, _ = myob_client
    _, tax = _setup(client)
    _customer(client, tax, code="A1", name="Twin Co")
    _customer(client, tax, code="A2", name="Twin Co")
    with pytest.raises(MyobPermanent, match="2 MYOB customers"):
        client.customer_find(display_id="A3", company_name="Twin Co")


def test_long_customer_code_and_name_fit_myob(myob_client: tuple[MyobClient, TokenBox]) -> None:
    client, _ = myob_client
    _, tax = _setup(client)
    code, name = "CUSTOMER-CODE-THAT-IS-FAR-TOO-LONG", "N" * 70
    uid = _customer(client, tax, code=code, name=name)
    found = client.customer_find(
        display_id=customer_payload(code=code, name=name, tax_code_uid=tax, freight_tax_code_uid=tax)["DisplayID"],
        company_name=name,
    )
    assert found is not None and found.uid == uid and len(found.display_id) == 15


def test_invoice_create_service_and_find_by_number(
    myob_sandbox: MyobSandboxHandle, myob_client: tuple[MyobClient, TokenBox]
) -> None:
    client, _ = myob_client
    account, tax = _setup(client)
    customer = _customer(client, tax)
    draft = _draft(customer, account, tax, references=("PO-12345", "PO-67890", "PO-ABCDEFGH"))
    created = client.invoice_create_service(payload=service_invoice_payload(draft=draft))
    assert created.number == "INV-000001" and created.uid and created.row_version
    assert created.uri.endswith(created.uid)
    stored = myob_sandbox.control.invoices(myob_sandbox.business_id)[0]
    assert stored["IsTaxInclusive"] is False and stored["TotalAmount"] == 275.0
    assert stored["CustomerPurchaseOrderNumber"] == "PO-12345 +2 more"
    assert stored["JournalMemo"].startswith("TMS invoice 1 (INV-000001); Ref: PO-12345, PO-67890, PO-ABCDEFGH")
    assert stored["Comment"] == "Ref: PO-12345, PO-67890, PO-ABCDEFGH"
    assert [i.uid for i in client.invoice_find_by_number(number="INV-000001")] == [created.uid]
    assert client.invoice_find_by_number(number="INV-000002") == []
    problems = [exchange_errors(e) for e in myob_sandbox.control.requests()]
    assert all(not p["request"] and not p["response"] for p in problems), problems


def test_find_by_number_allows_for_zero_padding_on_older_files(myob_sandbox: MyobSandboxHandle) -> None:
    client, _ = make_client(myob_sandbox, business_id=myob_sandbox.legacy_business_id)
    account, tax = _setup(client)
    customer = _customer(client, tax)
    created = client.invoice_create_service(
        payload=service_invoice_payload(draft=_draft(customer, account, tax, number="1234"))
    )
    assert created.number == "00001234"
    client.invoice_create_service(payload=service_invoice_payload(draft=_draft(customer, account, tax, number="91234")))
    found = client.invoice_find_by_number(number="1234")
    assert [i.uid for i in found] == [created.uid]  # 00091234 ends with 1234 too, but is not ours


def test_paging_follows_next_page_link(myob_client: tuple[MyobClient, TokenBox]) -> None:
    client, _ = myob_client
    account, tax = _setup(client)
    customer = _customer(client, tax)
    for _ in range(3):  # the same Number three times: MYOB does not refuse duplicates
        client.invoice_create_service(payload=service_invoice_payload(draft=_draft(customer, account, tax)))
    client.page_size = 2
    assert len(client.invoice_find_by_number(number="INV-000001")) == 3


def test_401_refreshes_once_with_the_rotated_token(
    myob_sandbox: MyobSandboxHandle, myob_client: tuple[MyobClient, TokenBox]
) -> None:
    client, box = myob_client
    myob_sandbox.control.advance_clock(1300)  # the access token has expired
    assert client.tax_codes_list()
    assert box.refreshes == 1
    statuses = [e["status"] for e in myob_sandbox.control.requests(path="/GeneralLedger/TaxCode")]
    assert statuses == [401, 200]


def test_401_after_refresh_is_an_auth_error(myob_sandbox: MyobSandboxHandle) -> None:
    client, box = make_client(myob_sandbox)
    box.access = "revoked"
    client._refresh_token = lambda: "still-bad"  # the store hands out a token MYOB does not know
    with pytest.raises(MyobAuthError):
        client.tax_codes_list()
    assert len(myob_sandbox.control.requests(path="/GeneralLedger/TaxCode")) == 2


def test_400_is_permanent_with_myobs_words(myob_client: tuple[MyobClient, TokenBox]) -> None:
    client, _ = myob_client
    account, tax = _setup(client)
    payload = service_invoice_payload(draft=_draft("00000000-0000-0000-0000-000000000001", account, tax))
    with pytest.raises(MyobPermanent) as caught:
        client.invoice_create_service(payload=payload)
    assert caught.value.status == 400
    assert caught.value.words == (
        "NotFound: Customer 00000000-0000-0000-0000-000000000001 was not found (Customer.UID)"
    )


@pytest.mark.parametrize(
    ("kind", "error", "committed"),
    [
        ("rate_limit", MyobWait, False),
        ("429", MyobWait, False),
        ("504", MyobUncertain, False),
        ("commit_then_504", MyobUncertain, True),
        ("500", MyobUncertain, False),
        ("503", MyobUncertain, False),
        ("reset", MyobUncertain, False),
        ("commit_then_reset", MyobUncertain, True),
        ("commit_then_timeout", MyobUncertain, True),
    ],
)
def test_faults_are_classified_and_uncertain_ones_are_settled_by_look_up(
    myob_sandbox: MyobSandboxHandle, kind: str, error: type[Exception], committed: bool
) -> None:
    client, _ = make_client(myob_sandbox, read_timeout=0.5)
    account, tax = _setup(client)
    customer = _customer(client, tax)
    myob_sandbox.control.add_fault(kind, method="POST", path="/Sale/Invoice/Service", hold_seconds=10)
    payload = service_invoice_payload(draft=_draft(customer, account, tax))
    with pytest.raises(error) as caught:
        client.invoice_create_service(payload=payload)
    assert caught.value.safe_to_resend is (error is MyobWait)  # type: ignore[attr-defined]
    if error is MyobWait:
        assert caught.value.retry_after >= 1  # type: ignore[attr-defined]
    assert len(client.invoice_find_by_number(number="INV-000001")) == (1 if committed else 0)
    assert len(myob_sandbox.control.requests(method="POST", path="/Sale/Invoice/Service")) == 1  # never resent
