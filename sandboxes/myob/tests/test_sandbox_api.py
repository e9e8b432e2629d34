"""The sandbox's AccountRight API: headers, customers, service invoices, OData, paging, limits, errors."""

from __future__ import annotations

import time

import requests

from sandboxes.myob.pytest_plugin import MyobSandboxHandle

from .helpers import Raw


def test_headers_are_required(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    url = raw.base + "/Contact/Customer"
    no_key = requests.get(url, headers={**raw.headers, "x-myobapi-key": ""}, timeout=10)
    assert no_key.status_code == 403 and no_key.json()["Errors"][0]["Name"] == "DeveloperInactive"
    no_version = requests.get(
        url, headers={k: v for k, v in raw.headers.items() if k != "x-myobapi-version"}, timeout=10
    )
    assert no_version.status_code == 400
    bad_token = requests.get(url, headers={**raw.headers, "Authorization": "Bearer nope"}, timeout=10)
    assert bad_token.status_code == 401
    error = bad_token.json()["Errors"][0]
    assert set(error) == {"Name", "Message", "AdditionalDetails", "ErrorCode", "Severity", "LearnMore"}
    other_key = requests.get(url, headers={**raw.headers, "x-myobapi-key": "another-key"}, timeout=10)
    assert other_key.status_code == 403


def test_customer_created_and_found_by_display_id_and_company_name_with_quote(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    created = raw.customer(name="O'Brien Haulage", display_id="OBR001")
    assert created["SellingDetails"]["TaxCode"]["Code"] == "GST"
    raw.customer(name="O'Brien Haulage Two", display_id="OBR002")
    by_id = raw.get("/Contact/Customer", **{"$filter": "DisplayID eq 'OBR001'"}).json()
    assert [c["UID"] for c in by_id["Items"]] == [created["UID"]]
    by_name = raw.get("/Contact/Customer", **{"$filter": "CompanyName eq 'O''Brien Haulage'"}).json()
    assert [c["UID"] for c in by_name["Items"]] == [created["UID"]]
    case = raw.get("/Contact/Customer", **{"$filter": "CompanyName eq 'o''brien haulage'"}).json()
    assert case["Items"] == []  # OData eq is case-sensitive
    both = raw.get("/Contact/Customer", **{"$filter": "substringof('Brien', CompanyName)"}).json()
    assert both["Count"] == 2


def test_field_limits_give_myob_400s(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    tax = raw.tax_uid()
    selling = {"TaxCode": {"UID": tax}, "FreightTaxCode": {"UID": tax}}
    assert (
        raw.post(
            "/Contact/Customer", {"CompanyName": "x" * 50, "DisplayID": "y" * 15, "SellingDetails": selling}
        ).status_code
        == 201
    )
    response = raw.post(
        "/Contact/Customer", {"CompanyName": "x" * 51, "DisplayID": "y" * 16, "SellingDetails": selling}
    )
    assert response.status_code == 400
    details = {e["AdditionalDetails"] for e in response.json()["Errors"]}
    assert details == {"CompanyName", "DisplayID"}
    missing = raw.post("/Contact/Customer", {"CompanyName": "No tax codes"})
    assert missing.status_code == 400 and {e["Name"] for e in missing.json()["Errors"]} == {"Required"}
    customer = raw.customer()
    too_long = raw.post(
        "/Sale/Invoice/Service",
        raw.invoice_body(customer["UID"], number="N" * 14, CustomerPurchaseOrderNumber="P" * 21, JournalMemo="m" * 256),
    )
    assert too_long.status_code == 400
    names = {e["AdditionalDetails"] for e in too_long.json()["Errors"]}
    assert names == {"Number", "CustomerPurchaseOrderNumber", "JournalMemo"}
    assert raw.get("/Sale/Invoice").json()["Count"] == 0


def test_invoice_post_201_location_and_return_body(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    quiet = raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], number="INV-1"))
    assert quiet.status_code == 201 and quiet.content == b""
    assert quiet.headers["Location"].startswith(raw.base + "/Sale/Invoice/Service/")
    loud = raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], number="INV-2"), returnBody="true")
    body = loud.json()
    assert loud.status_code == 201 and loud.headers["Location"] == body["URI"]
    assert body["Number"] == "INV-2" and body["RowVersion"] and body["Customer"]["DisplayID"] == "ACME"
    assert (body["Subtotal"], body["TotalTax"], body["TotalAmount"]) == (100.0, 10.0, 110.0)
    fetched = requests.get(body["URI"], headers=raw.headers, timeout=10).json()
    assert fetched["UID"] == body["UID"]


def test_post_with_uid_or_row_version_is_a_409(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    for extra in ({"UID": customer["UID"]}, {"RowVersion": "123"}):
        response = raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], **extra))
        assert response.status_code == 409
        assert response.json()["Errors"][0]["Message"] == "Incorrect RowVersion"
    assert raw.get("/Sale/Invoice").json()["Count"] == 0


def test_unknown_customer_account_or_tax_code_is_a_400_not_found(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    body = raw.invoice_body("00000000-0000-0000-0000-000000000001")
    body["Lines"][0]["Account"]["UID"] = raw.account_uid("4-0000")  # a header account
    response = raw.post("/Sale/Invoice/Service", body)
    assert response.status_code == 400
    assert {e["Name"] for e in response.json()["Errors"]} == {"NotFound", "InvalidAccount"}


def test_number_filter_eq_and_endswith_on_an_older_file(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox, business_id=myob_sandbox.legacy_business_id)
    customer = raw.customer()
    created = raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], number="1234"), returnBody="true")
    assert created.json()["Number"] == "00001234"
    assert raw.get("/Sale/Invoice", **{"$filter": "Number eq '1234'"}).json()["Items"] == []
    padded = raw.get("/Sale/Invoice", **{"$filter": "endswith(Number,'1234')"}).json()["Items"]
    assert [i["Number"] for i in padded] == ["00001234"]
    service = raw.get("/Sale/Invoice/Service", **{"$filter": "Number eq '00001234'"}).json()["Items"]
    assert len(service) == 1 and service[0]["InvoiceType"] == "Service"


def test_bad_filter_is_a_400(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    for text in ("Nope eq 'x'", "Number eq", "Number eq 'x' and", "Number like 'x'"):
        response = raw.get("/Sale/Invoice", **{"$filter": text})
        assert response.status_code == 400, text
        assert response.json()["Errors"][0]["Name"] == "InvalidQuery"


def test_top_skip_and_next_page_link(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    customer = raw.customer()
    for n in range(5):
        assert raw.post("/Sale/Invoice/Service", raw.invoice_body(customer["UID"], number=f"P{n}")).status_code == 201
    numbers, page = [], raw.get("/Sale/Invoice", **{"$top": "2", "$orderby": "Number"}).json()
    while True:
        numbers += [i["Number"] for i in page["Items"]]
        if not page["NextPageLink"]:
            break
        page = requests.get(page["NextPageLink"], headers=raw.headers, timeout=10).json()
    assert numbers == ["P0", "P1", "P2", "P3", "P4"]
    assert page["Count"] == 5


def test_accounts_and_tax_codes(myob_sandbox: MyobSandboxHandle) -> None:
    raw = Raw(myob_sandbox)
    accounts = raw.get("/GeneralLedger/Account").json()["Items"]
    assert {"4-1000", "4-0000"} <= {a["DisplayID"] for a in accounts}
    assert next(a for a in accounts if a["DisplayID"] == "4-0000")["IsHeader"] is True
    income = raw.get("/GeneralLedger/Account", **{"$filter": "IsHeader eq false and Classification eq 'Income'"})
    assert all(not a["IsHeader"] for a in income.json()["Items"]) and income.json()["Count"] == 4
    codes = {t["Code"]: t["Rate"] for t in raw.get("/GeneralLedger/TaxCode").json()["Items"]}
    assert codes["GST"] == 10.0 and codes["FRE"] == 0.0


def test_eight_calls_a_second_per_api_key_across_every_business(myob_sandbox: MyobSandboxHandle) -> None:
    demo, legacy = Raw(myob_sandbox), Raw(myob_sandbox, business_id=myob_sandbox.legacy_business_id)
    myob_sandbox.control.config(rate_limits_enabled=True, clock_frozen_at=time.time())  # every call at one instant
    statuses = [(demo if n % 2 else legacy).get("/GeneralLedger/TaxCode").status_code for n in range(8)]
    assert statuses == [200] * 8
    refused = demo.get("/GeneralLedger/TaxCode")
    assert refused.status_code == 403
    error = refused.json()["Errors"][0]
    assert error["Name"] == "RateLimitError" and error["AdditionalDetails"] == "Header: x-myobapi-key"
    assert "per-second" in error["Message"]
    assert legacy.get("/GeneralLedger/TaxCode").status_code == 403  # the limit is the key's, whichever file
    # Another key has its own allowance: admitted, then refused only because the token is not its own.
    other_key = requests.get(
        demo.base + "/GeneralLedger/TaxCode", headers={**demo.headers, "x-myobapi-key": "k2"}, timeout=10
    )
    assert other_key.status_code == 403 and other_key.json()["Errors"][0]["Name"] == "DeveloperInactive"
    myob_sandbox.control.advance_clock(1.0)
    assert demo.get("/GeneralLedger/TaxCode").status_code == 200
    assert myob_sandbox.control.stats()["max_calls_in_one_second"][myob_sandbox.api_key] == 8


def test_rate_limit_can_answer_429(myob_sandbox: MyobSandboxHandle) -> None:
    myob_sandbox.control.config(rate_limits_enabled=True, rate_limit_status=429, per_second_limit=1)
    raw = Raw(myob_sandbox)
    statuses = {raw.get("/GeneralLedger/TaxCode").status_code for _ in range(3)}
    assert 429 in statuses
