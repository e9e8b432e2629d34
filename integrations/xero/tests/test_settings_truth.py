"""The Xero settings page tells the truth (issue 8, section 3): the Send Customer Reference help says
what is saved now; Recent changes reads as words, with Connect and Disconnect; times are the tenant's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.models import XeroOrgCache, XeroSettingsChange
from integrations.xero.sandbox.seed import DEMO_AU_ORG_ID
from integrations.xero.services import xero_settings_update
from integrations.xero.tests.connect_support import connect_via_sandbox
from tenancy.models import Tenant, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]


def _changes(html: str) -> str:
    start = html.index('id="xero-changes"')
    return html[start : html.index("</article>", start)]


@pytest.mark.parametrize(("saved", "says", "never"), [(True, "Now on", "Now off"), (False, "Now off", "Now on")])
def test_send_customer_reference_help_describes_the_saved_state(
    admin_client_: Client, admin_user: User, tenant: Tenant, saved: bool, says: str, never: str
) -> None:
    xero_settings_update(tenant=tenant, user=admin_user, data={"send_customer_reference": saved})

    html = admin_client_.get(reverse("xero:settings")).content.decode()

    assert says in html and never not in html


def test_recent_changes_show_labels_and_named_values_not_field_names_or_json(
    admin_client_: Client, admin_user: User, tenant: Tenant
) -> None:
    XeroOrgCache.objects.create(
        tenant=tenant,
        kind="tax_rates",
        data=[{"tax_type": "OUTPUT", "name": "GST on Income", "rate": 10.0, "revenue": True}],
    )
    xero_settings_update(
        tenant=tenant,
        user=admin_user,
        data={
            "tax_type_map": {"GST": "OUTPUT", "FRE": "EXEMPTOUTPUT"},
            "send_customer_reference": True,
            "reference_rule": "per_line",
            "tracking": [{"name": "Region", "option": "North"}],
        },
    )

    changes = _changes(admin_client_.get(reverse("xero:settings")).content.decode())

    for raw in ("tax_type_map", "send_customer_reference", "reference_rule", "{", "&quot;", "per_line"):
        assert raw not in changes, raw
    assert "Tax mapping" in changes and "FRE → EXEMPTOUTPUT, GST → GST on Income (OUTPUT)" in changes
    assert "Send Customer Reference" in changes and ">On<" in changes and ">Off<" in changes
    assert "Reference at the start of each line" in changes
    assert "Region: North" in changes


def test_connect_and_disconnect_appear_in_recent_changes(admin_client_: Client, admin_user: User, xero_sandbox) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    admin_client_.post(reverse("xero:disconnect"))

    rows = list(XeroSettingsChange.objects.order_by("changed_at", "id").values_list("field", "new_value"))
    assert [field for field, _ in rows] == ["connection", "connection"]
    assert rows[0][1].startswith("Connected to ") and rows[1][1].startswith("Disconnected")
    changes = _changes(admin_client_.get(reverse("xero:settings")).content.decode())
    assert changes.count("Xero connection") == 2
    assert admin_user.email in changes or str(admin_user) in changes


def test_recent_changes_show_the_time_in_the_tenants_zone_with_its_name(
    admin_client_: Client, admin_user: User, tenant: Tenant
) -> None:
    XeroSettingsChange.objects.create(
        tenant=tenant,
        changed_by=admin_user,
        changed_at=dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC),
        field="invoice_status",
        old_value="DRAFT",
        new_value="AUTHORISED",
    )

    changes = _changes(admin_client_.get(reverse("xero:settings")).content.decode())

    # 23:30 UTC on 1 July is 09:30 on 2 July in Sydney (AEST, UTC+10).
    assert "2 Jul 2026 09:30 AEST" in changes
    assert "Approved (AUTHORISED)" in changes
