"""Connecting (and reconnecting) reads the organisation's lists at once: no Refresh click needed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.models import XeroOrgCache
from integrations.xero.services import xero_settings_update
from integrations.xero.tests.connect_support import connect_via_sandbox
from tenancy.models import Tenant, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]


def _cached_account_codes(tenant: Tenant) -> set[str]:
    row = XeroOrgCache.objects.filter(tenant=tenant, kind="accounts").first()
    return {a["code"] for a in row.data} if row else set()


def test_connect_reads_accounts_tax_rates_and_currencies(admin_client_: Client, tenant: Tenant, xero_sandbox) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[xero_sandbox.au_org_id])

    assert {"200", "260"} <= _cached_account_codes(tenant)
    kinds = set(XeroOrgCache.objects.filter(tenant=tenant).values_list("kind", flat=True))
    assert {"accounts", "tax_rates", "currencies"} <= kinds


def test_choosing_one_of_two_organisations_reads_its_lists(admin_client_: Client, tenant: Tenant, xero_sandbox) -> None:
    choose = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=None)
    admin_client_.post(choose["Location"], {"xero_tenant_id": xero_sandbox.nz_org_id})

    assert {"200", "260"} <= _cached_account_codes(tenant)
    tax_types = {t["tax_type"] for t in XeroOrgCache.objects.get(tenant=tenant, kind="tax_rates").data}
    assert "OUTPUT2" in tax_types  # the NZ organisation's, not the AU one's


def test_disconnect_and_connect_keeps_valid_mappings_valid(
    admin_client_: Client, admin_user: User, tenant: Tenant, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[xero_sandbox.au_org_id])
    xero_settings_update(
        tenant=tenant, user=admin_user, data={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}}
    )
    admin_client_.post(reverse("xero:disconnect"))
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[xero_sandbox.au_org_id])

    html = admin_client_.get(reverse("xero:settings")).content.decode()
    assert "not in Xero" not in html
    assert "200 — Sales" in html


def test_connect_still_succeeds_when_xero_cannot_list_accounts(
    admin_client_: Client, tenant: Tenant, xero_sandbox
) -> None:
    xero_sandbox.control.add_fault("500", method="GET", path="/accounts", times=None)

    response = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[xero_sandbox.au_org_id])

    assert tenant.xero_connection.organisation_name
    page = admin_client_.get(response["Location"]).content.decode()
    assert "Refresh" in page
