"""``/accountright/{businessId}/...``: the MYOB Business API v2 resources the TMS uses.

Sources: Sale/Invoice/Service and Contact/Customer pages on developer.myob.com, "retrieving data"
(paging: 400 per page by default, ``$top`` up to 1000, ``NextPageLink``), MYOB's .NET SDK
``MutableService.cs`` (``201 Created`` + ``Location``; ``returnBody=true`` returns the entity).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from sandboxes.wire import Request, Response

from . import odata, records
from .errors import errors_response, one
from .state import Business, SandboxState

DEFAULT_PAGE, MAX_PAGE = 400, 1000
INVOICE_FIELDS = {
    "UID",
    "Number",
    "Date",
    "CustomerPurchaseOrderNumber",
    "JournalMemo",
    "Comment",
    "Status",
    "InvoiceType",
    "Customer/UID",
    "Customer/DisplayID",
    "Customer/Name",
    "LastModified",
}
CUSTOMER_FIELDS = {
    "UID",
    "DisplayID",
    "CompanyName",
    "FirstName",
    "LastName",
    "IsActive",
    "IsIndividual",
    "LastModified",
}
ACCOUNT_FIELDS = {"UID", "DisplayID", "Name", "Classification", "Type", "IsHeader", "IsActive"}
TAX_FIELDS = {"UID", "Code", "Type", "Description"}
_ROUTE = re.compile(r"^/(?P<resource>[A-Za-z/]+?)(?:/(?P<uid>[0-9a-fA-F-]{36}))?$")


def _page(request: Request, items: list[dict[str, Any]], fields: set[str]) -> Response:
    try:
        text = request.q("$filter")
        if text:
            predicate = odata.filter_parse(text, fields=fields)
            items = [item for item in items if predicate(item)]
        items = odata.order_apply(items, request.q("$orderby"), fields=fields)
        top = min(int(request.q("$top") or DEFAULT_PAGE), MAX_PAGE)
        skip = int(request.q("$skip") or 0)
        if top < 0 or skip < 0:
            raise ValueError
    except odata.ODataError as exc:
        return one(400, "InvalidQuery", str(exc), "$filter")
    except ValueError:
        return one(400, "InvalidQuery", "$top and $skip must be whole numbers of 0 or more", "$top")
    page = items[skip : skip + top]
    next_link = None
    if skip + top < len(items):
        params = {k: v[-1] for k, v in request.query.items() if k.lower() not in ("$skip", "$top")}
        params.update({"$top": str(top), "$skip": str(skip + top)})
        next_link = f"{request.base_url}{request.path}?{urlencode(params)}"
    return Response.json(200, {"Items": page, "NextPageLink": next_link, "Count": len(items)})


def _invoice_view(business: Business, base: str, record: dict[str, Any]) -> dict[str, Any]:
    key = (base, record["UID"])
    view = business.invoice_views.get(key)
    if view is None:
        view = business.invoice_views[key] = records.invoice_view(business, base, record)
    return view


def _one_or_404(item: dict[str, Any] | None, what: str) -> Response:
    if item is None:
        return one(404, "NotFound", f"The {what} was not found")
    return Response.json(200, item)


def _body(request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    try:
        body = request.json()
    except ValueError:
        return None, one(400, "SerializationError", "The request body is not valid JSON")
    if not isinstance(body, dict):
        return None, one(400, "SerializationError", "The request body must be a JSON object")
    if records.forbidden_on_post(body):
        # MYOB: use POST to create, PUT (with RowVersion) to update.
        return None, one(
            409,
            "IncorrectRowVersion",
            "Incorrect RowVersion",
            "UID, RowID and RowVersion must not be sent when creating",
        )
    return body, None


def _created(request: Request, base: str, kind: str, view: dict[str, Any]) -> Response:
    headers = {"Location": f"{base}/{kind}/{view['UID']}"}
    if request.q("returnBody") and request.q("returnBody").lower() == "true":  # type: ignore[union-attr]
        return Response.json(201, view, headers)
    return Response(201, b"", headers)


def handle(state: SandboxState, business: Business, request: Request, api_path: str) -> Response:
    """Route one authenticated, admitted call (caller holds no lock)."""
    match = _ROUTE.match(api_path.rstrip("/") or "/")
    if match is None:
        return one(404, "NotFound", f"The sandbox does not implement {api_path}")
    resource, item_uid = match.group("resource").lower(), (match.group("uid") or "").lower()
    method = request.method
    base = f"{request.base_url}/accountright/{business.business_id}"
    with state.lock:
        if resource == "contact/customer":
            if method == "GET":
                views = [records.customer_view(business, base, c) for c in business.customers.values()]
                if item_uid:
                    return _one_or_404(next((v for v in views if v["UID"] == item_uid), None), "customer")
                return _page(request, views, CUSTOMER_FIELDS)
            if method == "POST" and not item_uid:
                body, refused = _body(request)
                if refused:
                    return refused
                assert body is not None
                record, errors = records.customer_build(business, body, state.now())
                if record is None:
                    return errors_response(400, *errors)
                business.customers[record["UID"]] = record
                state.count("events", "customers_created")
                return _created(request, base, "Contact/Customer", records.customer_view(business, base, record))
        elif resource in ("sale/invoice", "sale/invoice/service"):
            if method == "GET":
                views = [_invoice_view(business, base, i) for i in business.invoices.values()]
                if item_uid:
                    return _one_or_404(next((v for v in views if v["UID"] == item_uid), None), "invoice")
                return _page(request, views, INVOICE_FIELDS)
            if method == "POST" and resource == "sale/invoice/service" and not item_uid:
                body, refused = _body(request)
                if refused:
                    return refused
                assert body is not None
                record, errors = records.service_invoice_build(business, body, state.config, state.now())
                if record is None:
                    return errors_response(400, *errors)
                if any(i["Number"] == record["Number"] for i in business.invoices.values()):
                    state.count("events", "duplicate_numbers")
                business.invoices[record["UID"]] = record
                state.count("events", "invoices_created")
                return _created(request, base, "Sale/Invoice/Service", records.invoice_view(business, base, record))
        elif resource in ("generalledger/account", "generalledger/taxcode") and method == "GET":
            kind = "Account" if resource.endswith("account") else "TaxCode"
            rows = business.accounts if kind == "Account" else business.tax_codes
            views = [records.gl_view(base, kind, r) for r in rows]
            if item_uid:
                return _one_or_404(next((v for v in views if v["UID"] == item_uid), None), kind)
            return _page(request, views, ACCOUNT_FIELDS if kind == "Account" else TAX_FIELDS)
        else:
            return one(404, "NotFound", f"The sandbox does not implement {api_path}")
    return one(405, "MethodNotAllowed", f"{method} is not supported on {api_path}")
