"""The one MYOB HTTP client: headers, explicit time-outs, error classification, and the calls an export needs.

Everything goes through :meth:`MyobClient._call`, so every request has a (connect, read) time-out,
MYOB's four headers and the same error handling. It never retries by itself except once after a 401
(with a refreshed token: a 401 means MYOB processed nothing). What to do with a ``MyobWait`` or
``MyobUncertain`` is the export core's decision (see ``errors.py``). ``before_call`` runs before every
request: the core passes the shared per-API-key rate limiter there (see ``ratelimit.py``).

# MYOB docs: https://developer.myob.com/api/accountright/api-overview/headers/
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from .errors import MyobError, MyobErrorKind, MyobPermanent, MyobUncertain, MyobWait, myob_error_for
from .identifiers import number_matches
from .payload import myob_company_name

API_VERSION = "v2"
MAX_PAGE = 1000  # MYOB: $top up to 1000 (default page 400)


@dataclass(frozen=True)
class MyobConfig:
    """``api_url`` is ``https://api.myob.com/accountright`` (or the sandbox's ``/accountright``)."""

    api_url: str
    api_key: str
    connect_timeout: float = 10.0
    # MYOB's gateway gives up at about 120 s (third-party copy of its error table): wait a little longer.
    read_timeout: float = 150.0
    cftoken: str | None = None  # company-file credentials, only for files that still need them


@dataclass(frozen=True)
class MyobAccount:
    uid: str
    display_id: str
    name: str
    classification: str
    is_header: bool
    is_active: bool


@dataclass(frozen=True)
class MyobTaxCode:
    uid: str
    code: str
    description: str
    rate: float


@dataclass(frozen=True)
class MyobCustomer:
    uid: str
    display_id: str
    company_name: str | None
    row_version: str


@dataclass(frozen=True)
class MyobInvoice:
    uid: str
    number: str
    row_version: str
    uri: str
    journal_memo: str | None
    purchase_order_number: str | None
    total_amount: float | None


def odata_literal(value: str) -> str:
    """An OData string literal: quotes doubled (``O'Brien`` -> ``'O''Brien'``)."""
    return "'" + value.replace("'", "''") + "'"


def _customer(item: dict[str, Any]) -> MyobCustomer:
    return MyobCustomer(
        uid=item["UID"],
        display_id=item.get("DisplayID") or "",
        company_name=item.get("CompanyName"),
        row_version=str(item.get("RowVersion") or ""),
    )


def _invoice(item: dict[str, Any]) -> MyobInvoice:
    return MyobInvoice(
        uid=item["UID"],
        number=item.get("Number") or "",
        row_version=str(item.get("RowVersion") or ""),
        uri=item.get("URI") or "",
        journal_memo=item.get("JournalMemo"),
        purchase_order_number=item.get("CustomerPurchaseOrderNumber"),
        total_amount=item.get("TotalAmount"),
    )


class MyobClient:
    """One company file (``business_id``) as one connection sees it.

    ``access_token()`` returns a valid token; ``refresh_token()`` (optional) forces a refresh and returns
    the new token. Both belong to the token store (locked, rotating refresh), not to this client.
    """

    def __init__(
        self,
        *,
        config: MyobConfig,
        business_id: str,
        access_token: Callable[[], str],
        refresh_token: Callable[[], str] | None = None,
        before_call: Callable[[], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self.base = f"{config.api_url.rstrip('/')}/{business_id}"
        self._access_token = access_token
        self._refresh_token = refresh_token
        self._before_call = before_call
        self._session = session or requests.Session()
        self.page_size = MAX_PAGE

    # --- the one HTTP helper -------------------------------------------------------------------

    def _headers(self, token: str, *, has_body: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {token}",
            "x-myobapi-key": self.config.api_key,
            "x-myobapi-version": API_VERSION,
            "Accept": "application/json",
            "Accept-Encoding": "gzip,deflate",
        }
        if self.config.cftoken:
            headers["x-myobapi-cftoken"] = self.config.cftoken
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _call(
        self, method: str, url: str, *, params: dict[str, str] | None = None, json: dict[str, Any] | None = None
    ) -> requests.Response:
        token = self._access_token()
        for attempt in (1, 2):
            if self._before_call is not None:
                self._before_call()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=self._headers(token, has_body=json is not None),
                    timeout=(self.config.connect_timeout, self.config.read_timeout),
                    allow_redirects=False,
                )
            except requests.ConnectTimeout as exc:  # never connected: nothing was sent
                raise MyobWait(
                    f"MYOB {method}: could not connect ({exc})", method=method, url=url, retry_after=5.0
                ) from exc
            except (requests.Timeout, requests.ConnectionError) as exc:  # sent, answer lost
                raise MyobUncertain(
                    f"MYOB {method}: no answer ({type(exc).__name__}: {exc})", method=method, url=url
                ) from exc
            if response.status_code < 400:
                return response
            try:
                body = response.json()
            except ValueError:
                body = None
            error = myob_error_for(
                status=response.status_code,
                body=body,
                method=method,
                url=url,
                retry_after_header=response.headers.get("Retry-After"),
            )
            if response.status_code == 401 and attempt == 1 and self._refresh_token is not None:
                token = self._refresh_token()  # a 401 means nothing was processed: one retry is safe
                continue
            raise error
        raise AssertionError("unreachable")

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise MyobUncertain(
                f"MYOB answered {response.status_code} without JSON",
                status=response.status_code,
                method=response.request.method or "",
                url=response.url,
            ) from exc

    def _items(self, path: str, *, odata_filter: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a list, following ``NextPageLink`` (only to our own base URL)."""
        url: str | None = f"{self.base}{path}"
        params: dict[str, str] | None = {"$top": str(self.page_size)}
        if odata_filter:
            assert params is not None
            params["$filter"] = odata_filter
        while url:
            page = self._json(self._call("GET", url, params=params))
            yield from page.get("Items") or []
            url, params = page.get("NextPageLink"), None
            if url and not url.startswith(self.base + "/"):
                raise MyobPermanent(f"MYOB NextPageLink leaves the company file: {url}", method="GET", url=url)

    # --- lists ----------------------------------------------------------------------------------

    def accounts_list(self) -> list[MyobAccount]:
        return [
            MyobAccount(
                uid=a["UID"],
                display_id=a.get("DisplayID") or "",
                name=a.get("Name") or "",
                classification=a.get("Classification") or "",
                is_header=bool(a.get("IsHeader")),
                is_active=bool(a.get("IsActive", True)),
            )
            for a in self._items("/GeneralLedger/Account")
        ]

    def tax_codes_list(self) -> list[MyobTaxCode]:
        return [
            MyobTaxCode(
                uid=t["UID"],
                code=t.get("Code") or "",
                description=t.get("Description") or "",
                rate=float(t.get("Rate") or 0),
            )
            for t in self._items("/GeneralLedger/TaxCode")
        ]

    # --- customers ------------------------------------------------------------------------------

    def customer_find(self, *, display_id: str, company_name: str) -> MyobCustomer | None:
        """By DisplayID, then by exact CompanyName (case-sensitive, as OData ``eq``); None when neither finds one.

        Several matches are refused (``MyobPermanent``): picking one would bill the wrong card.
        """
        for field, value in (("DisplayID", display_id), ("CompanyName", myob_company_name(name=company_name))):
            found = [
                _customer(c)
                for c in self._items("/Contact/Customer", odata_filter=f"{field} eq {odata_literal(value)}")
            ]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise MyobPermanent(
                    f"{len(found)} MYOB customers have {field} {value!r}; merge them in MYOB first", method="GET"
                )
        return None

    def customer_create(self, *, payload: dict[str, Any]) -> MyobCustomer:
        response = self._call("POST", f"{self.base}/Contact/Customer", params={"returnBody": "true"}, json=payload)
        return _customer(self._json(response))

    # --- invoices -------------------------------------------------------------------------------

    def invoice_create_service(self, *, payload: dict[str, Any]) -> MyobInvoice:
        """POST a service invoice; ``MyobUncertain`` means it may exist: settle with :meth:`invoice_find_by_number`."""
        response = self._call("POST", f"{self.base}/Sale/Invoice/Service", params={"returnBody": "true"}, json=payload)
        invoice = _invoice(self._json(response))
        location = response.headers.get("Location")
        return invoice if invoice.uri or not location else dataclasses.replace(invoice, uri=location)

    def invoice_find_by_number(self, *, number: str) -> list[MyobInvoice]:
        """Every invoice (any layout) whose Number is ``number``, or ``number`` zero-padded as older files store it.

        # MYOB docs: https://apisupport.myob.com/hc/en-us/articles/360000496815 (use endswith for padded numbers)
        A second request (``endswith``) is made only when the exact one finds nothing.
        """
        exact = [_invoice(i) for i in self._items("/Sale/Invoice", odata_filter=f"Number eq {odata_literal(number)}")]
        if exact:
            return exact
        ending = self._items("/Sale/Invoice", odata_filter=f"endswith(Number,{odata_literal(number)})")
        return [_invoice(i) for i in ending if number_matches(stored=i.get("Number") or "", wanted=number)]


__all__ = [
    "MyobAccount",
    "MyobClient",
    "MyobConfig",
    "MyobCustomer",
    "MyobError",
    "MyobErrorKind",
    "MyobInvoice",
    "MyobTaxCode",
    "odata_literal",
]
