"""Hostile input on the OAuth callback and the export actions: wrong, foreign or reused ``state``, missing
``code``, ``error=`` values, oversized and odd-Unicode parameters; hostile selections for Export and a
hostile reason / id / ``next`` for "mark exported by hand". Never a 500, never a half-written row.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from integrations.xero.models import XeroConnection
from invoicing.models import Invoice, InvoiceStatus
from tenancy.models import Role, Tenant, User
from tests.factories import (
    UserFactory,
)
from tests.security.hostile import EXAMPLES, NASTY_STRINGS, hostile_text, row_counts

pytestmark = pytest.mark.django_db

# --- the OAuth callback -------------------------------------------------------------------------------

CALLBACK = "/settings/integration/authentication/xero/callback/"


@EXAMPLES
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "state": hostile_text,
            "code": hostile_text,
            "error": st.one_of(
                st.sampled_from(["access_denied", "invalid_scope", "server_error", "unauthorized_client"]),
                hostile_text,
            ),
            "error_description": hostile_text,
            "scope": hostile_text,
        },
    )
)
def test_oauth_callback_with_unknown_state_is_refused_and_saves_nothing(
    admin_client_: Client, params: dict[str, str]
) -> None:
    before = row_counts()

    response = admin_client_.get(CALLBACK, params)

    assert response.status_code in (302, 400, 403), response.status_code
    if response.status_code == 302:
        assert "/callback/" not in response["Location"]
    assert XeroConnection.objects.count() == 0
    assert row_counts() == before


def test_oauth_callback_without_code_or_with_an_error_saves_nothing_even_with_a_real_state(
    admin_client_: Client, admin_user: User
) -> None:
    """Start a real authorisation (so the state is genuine), then come back with error= / no code."""
    for params in ({"error": "access_denied"}, {}, {"code": ""}, {"error": "\x00" * 10, "code": "x" * 10_000}):
        start = admin_client_.post("/settings/integration/authentication/xero/connect/")
        assert start.status_code == 302
        from urllib.parse import parse_qs, urlparse

        state = parse_qs(urlparse(start["Location"]).query)["state"][0]
        response = admin_client_.get(CALLBACK, {"state": state, **params})
        assert response.status_code in (302, 400, 403)
        assert XeroConnection.objects.count() == 0
        # The same state cannot be used again.
        again = admin_client_.get(CALLBACK, {"state": state, "code": "whatever"})
        assert again.status_code in (400, 403)
        assert XeroConnection.objects.count() == 0


def test_oauth_callback_state_of_another_user_is_refused(admin_client_: Client, tenant: Tenant) -> None:
    from urllib.parse import parse_qs, urlparse

    other_admin: Any = UserFactory(tenant=tenant, role=Role.ADMIN, email="second-admin@acme.example")
    other = Client()
    other.force_login(other_admin)
    start = other.post("/settings/integration/authentication/xero/connect/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]

    response = admin_client_.get(CALLBACK, {"state": state, "code": "stolen-code"})

    assert response.status_code in (400, 403)
    assert XeroConnection.objects.count() == 0


def test_export_start_with_hostile_selection_exports_nothing_and_does_not_crash(
    accounts_client: Client, invoice: Invoice, rival_ids: list[str]
) -> None:
    for value in [*NASTY_STRINGS[:12], *rival_ids, str(uuid.uuid4()), "-1", "9" * 40]:
        response = accounts_client.post("/invoicing/export/start/", {"invoice": [value], "invoices": [value]})
        assert response.status_code < 500
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.READY
    assert Decimal(invoice.total) > 0


@EXAMPLES
@given(
    reason=hostile_text,
    xero_invoice_id=st.one_of(hostile_text, st.uuids().map(str)),
    next_url=st.sampled_from(
        [
            "",
            "//evil.example/",
            "https://evil.example/x",
            "javascript:alert(1)",
            "/\\evil.example",
            "\x00/",
            "/invoicing/",
        ]
    ),
)
def test_mark_exported_by_hand_survives_hostile_reason_id_and_next(
    admin_client_: Client, invoice: Invoice, reason: str, xero_invoice_id: str, next_url: str
) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED)

    response = admin_client_.post(
        f"/invoicing/export/invoices/{invoice.public_id}/mark-exported/",
        {"reason": reason, "xero_invoice_id": xero_invoice_id, "next": next_url},
    )

    assert response.status_code in (302, 400)
    location = response.get("Location", "")
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    invoice.refresh_from_db()
    if invoice.status == InvoiceStatus.EXPORTED:
        assert reason.strip(), "marked exported without a reason"
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.EXPORT_FAILED, export_note="")
