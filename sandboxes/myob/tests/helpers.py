"""Raw-HTTP helpers for the sandbox's own tests (the product's client has its own tests)."""

from __future__ import annotations

from typing import Any

import requests

from sandboxes.myob.pytest_plugin import MyobSandboxHandle
from sandboxes.myob.seed import stable_uid


class Raw:
    """requests with MYOB's headers for one company file; ``timeout`` always set."""

    def __init__(self, sandbox: MyobSandboxHandle, business_id: str | None = None, token: str | None = None) -> None:
        self.sandbox = sandbox
        self.business_id = business_id or sandbox.business_id
        self.token = token or sandbox.token(self.business_id)["access_token"]
        self.base = f"{sandbox.api_url}/{self.business_id}"
        self.headers = {
            "Authorization": f"Bearer {self.token}",
            "x-myobapi-key": sandbox.api_key,
            "x-myobapi-version": "v2",
        }

    def get(self, path: str, **params: str) -> requests.Response:
        return requests.get(self.base + path, params=params, headers=self.headers, timeout=10)

    def post(self, path: str, body: Any, *, timeout: float = 10, **params: str) -> requests.Response:
        return requests.post(self.base + path, params=params, json=body, headers=self.headers, timeout=timeout)

    def tax_uid(self, code: str = "GST") -> str:
        return stable_uid(self.business_id, "taxcode", code)  # seeded ids: no call needed

    def account_uid(self, display_id: str = "4-1000") -> str:
        return stable_uid(self.business_id, "account", display_id)

    def customer(self, name: str = "Acme Pty Ltd", display_id: str = "ACME") -> dict[str, Any]:
        tax = self.tax_uid()
        body = {
            "CompanyName": name,
            "DisplayID": display_id,
            "SellingDetails": {"TaxCode": {"UID": tax}, "FreightTaxCode": {"UID": tax}},
        }
        response = self.post("/Contact/Customer", body, returnBody="true")
        assert response.status_code == 201, response.text
        return dict(response.json())

    def invoice_body(self, customer_uid: str, number: str | None = "INV-1", **extra: Any) -> dict[str, Any]:
        body = {
            "Date": "2026-12-01T00:00:00",
            "Customer": {"UID": customer_uid},
            "IsTaxInclusive": False,
            "Lines": [
                {
                    "Type": "Transaction",
                    "Description": "Linehaul",
                    "Total": 100.0,
                    "Account": {"UID": self.account_uid()},
                    "TaxCode": {"UID": self.tax_uid()},
                }
            ],
            **extra,
        }
        if number is not None:
            body["Number"] = number
        return body
