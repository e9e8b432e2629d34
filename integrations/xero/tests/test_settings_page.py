"""Settings → Integration → Authentication → Xero: access, the form, choices from Xero, the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from integrations.xero.models import (
    ReferenceRule,
    XeroConnection,
    XeroOrgCache,
    XeroSettings,
    XeroSettingsChange,
)
from integrations.xero.sandbox.seed import DEMO_AU_ORG_ID
from integrations.xero.services import xero_settings_get, xero_settings_update
from integrations.xero.tests.connect_support import connect_via_sandbox
from tenancy.models import Tenant, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("xero_sandbox_settings")]

URL_NAMES = ["xero:settings", "xero:connect", "xero:disconnect", "xero:refresh_choices"]


def _form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "reference_rule": "both",
        "invoice_status": "DRAFT",
        "line_amount_type": "",
        "nightly_export_time": "02:00",
        "default_account_code": "",
        "branding_theme_id": "",
        "tracking_1": "",
        "tracking_2": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("name", URL_NAMES)
def test_accounts_and_operations_users_get_403(name: str, accounts_client: Client, ops_client: Client) -> None:
    for client in (accounts_client, ops_client):
        assert client.get(reverse(name)).status_code in (403, 405)
        assert client.post(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [*URL_NAMES, "xero:callback"])
def test_anonymous_users_are_sent_to_login(name: str, client: Client) -> None:
    response = client.post(reverse(name)) if name != "xero:callback" else client.get(reverse(name))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_operations_user_cannot_change_settings(ops_client: Client, tenant: Tenant) -> None:
    response = ops_client.post(reverse("xero:settings"), _form_data(send_customer_reference="on"))

    assert response.status_code == 403
    assert not XeroSettingsChange.objects.exists()
    assert xero_settings_get(tenant=tenant).send_customer_reference is False


def test_admin_sees_the_page_with_breadcrumbs_and_defaults(admin_client_: Client) -> None:
    response = admin_client_.get(reverse("xero:settings"))

    html = response.content.decode()
    assert response.status_code == 200
    crumbs = html[html.index('class="breadcrumbs"') : html.index("</nav>", html.index('class="breadcrumbs"'))]
    positions = [crumbs.index(word) for word in ("Settings", "Integration", "Authentication", "Xero")]
    assert positions == sorted(positions)
    assert "Connect to Xero" in html
    form = response.context["form"]
    assert form["send_customer_reference"].value() is False
    assert form["reference_rule"].value() == ReferenceRule.BOTH
    assert "customer" in form.fields["send_customer_reference"].help_text.lower()
    help_text = form.fields["reference_rule"].help_text
    assert "All references" in help_text and "Per line" in help_text and "Both" in help_text
    assert "Australia/Sydney" in form.fields["nightly_export_time"].help_text


def test_another_tenants_admin_never_sees_this_tenants_connection_or_changes(
    admin_client_: Client, other_client: Client, admin_user: User, tenant: Tenant, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    xero_settings_update(tenant=tenant, user=admin_user, data={"default_account_code": "ACME-SECRET-200"})

    response = other_client.get(reverse("xero:settings"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Demo Company (AU)" not in html and "ACME-SECRET-200" not in html
    assert response.context["connection"] is None
    assert list(response.context["changes"]) == []


def test_other_tenants_admin_cannot_disconnect_this_tenant(
    admin_client_: Client, other_client: Client, tenant: Tenant, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])

    other_client.post(reverse("xero:disconnect"))

    assert XeroConnection.objects.filter(tenant=tenant).exists()


def test_connected_page_shows_organisation_who_and_token_health(
    admin_client_: Client, admin_user: User, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])

    html = admin_client_.get(reverse("xero:settings")).content.decode()

    assert "Demo Company (AU)" in html
    assert str(admin_user) in html
    assert "Healthy" in html and "Access token expires" in html and "Last refresh" in html
    assert "Disconnect" in html and "Refresh choices from Xero" in html


def test_refresh_choices_reads_the_organisation_and_offers_its_values(
    admin_client_: Client, tenant: Tenant, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])

    response = admin_client_.post(reverse("xero:refresh_choices"))

    assert response.status_code == 302
    kinds = dict(XeroOrgCache.objects.filter(tenant=tenant).values_list("kind", "data"))
    assert set(kinds) == {"accounts", "tax_rates", "tracking_categories", "branding_themes", "currencies"}
    assert all(kinds.values())
    form = admin_client_.get(reverse("xero:settings")).context["form"]
    revenue_codes = {a["code"] for a in kinds["accounts"] if a["class"] == "REVENUE"}
    offered = {value for value, _ in form.fields["default_account_code"].choices if value}
    assert revenue_codes and offered == revenue_codes
    tax_types = {value for value, _ in form.fields["tax_GST"].choices if value}
    assert tax_types and tax_types <= {t["tax_type"] for t in kinds["tax_rates"]}
    assert {"tax_GST", "tax_FRE"} <= set(form.fields)
    branding = {value for value, _ in form.fields["branding_theme_id"].choices if value}
    assert branding == {b["id"] for b in kinds["branding_themes"]}
    calls = xero_sandbox.control.stats()
    assert calls["api_calls_total"] >= 4


def test_saving_the_form_writes_one_audit_row_per_changed_field(
    admin_client_: Client, admin_user: User, tenant: Tenant, xero_sandbox
) -> None:
    connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[DEMO_AU_ORG_ID])
    admin_client_.post(reverse("xero:refresh_choices"))
    choices = {row.kind: row.data for row in XeroOrgCache.objects.filter(tenant=tenant)}
    account = next(a["code"] for a in choices["accounts"] if a["class"] == "REVENUE")
    tax_type = choices["tax_rates"][0]["tax_type"]
    category = next(c for c in choices["tracking_categories"] if c["options"])
    theme = choices["branding_themes"][0]["id"]

    response = admin_client_.post(
        reverse("xero:settings"),
        _form_data(
            send_customer_reference="on",
            reference_rule="per_line",
            default_account_code=account,
            tax_GST=tax_type,
            tracking_1=f"{category['name']}\x1f{category['options'][0]}",
            branding_theme_id=theme,
            invoice_status="AUTHORISED",
            line_amount_type="Exclusive",
            nightly_export_enabled="on",
            nightly_export_time="23:15",
        ),
    )

    assert response.status_code == 302
    row = XeroSettings.objects.get(tenant=tenant)
    assert row.send_customer_reference is True and row.reference_rule == "per_line"
    assert row.default_account_code == account and row.tax_type_map == {"GST": tax_type}
    assert row.tracking == [{"name": category["name"], "option": category["options"][0]}]
    assert (row.branding_theme_id, row.invoice_status, row.line_amount_type) == (theme, "AUTHORISED", "Exclusive")
    assert row.nightly_export_enabled is True and row.nightly_export_time == dt.time(23, 15)
    changes = {c.field: c for c in XeroSettingsChange.objects.filter(tenant=tenant).exclude(field="connection")}
    assert set(changes) == {
        "send_customer_reference",
        "reference_rule",
        "default_account_code",
        "tax_type_map",
        "tracking",
        "branding_theme_id",
        "invoice_status",
        "line_amount_type",
        "nightly_export_enabled",
        "nightly_export_time",
    }
    assert (changes["send_customer_reference"].old_value, changes["send_customer_reference"].new_value) == ("off", "on")
    assert (changes["reference_rule"].old_value, changes["reference_rule"].new_value) == ("both", "per_line")
    assert (changes["nightly_export_time"].old_value, changes["nightly_export_time"].new_value) == ("02:00", "23:15")
    assert all(c.changed_by == admin_user for c in changes.values())
    page = admin_client_.get(reverse("xero:settings")).content.decode()
    assert "Reference at the start of each line" in page and "Reference for several jobs" in page


def test_saving_without_changes_writes_no_audit_rows(admin_client_: Client, tenant: Tenant) -> None:
    admin_client_.post(reverse("xero:settings"), _form_data())

    assert not XeroSettingsChange.objects.filter(tenant=tenant).exists()


def test_the_same_tracking_category_twice_is_refused(admin_client_: Client, tenant: Tenant) -> None:
    XeroOrgCache.objects.create(
        tenant=tenant, kind="tracking_categories", data=[{"id": "x", "name": "Region", "options": ["North", "South"]}]
    )

    response = admin_client_.post(
        reverse("xero:settings"), _form_data(tracking_1="Region\x1fNorth", tracking_2="Region\x1fSouth")
    )

    assert response.status_code == 200
    assert "different tracking category" in response.content.decode()
    assert xero_settings_get(tenant=tenant).tracking == []


def test_the_page_lists_the_latest_twenty_changes(admin_client_: Client, admin_user: User, tenant: Tenant) -> None:
    for n in range(25):
        xero_settings_update(tenant=tenant, user=admin_user, data={"default_account_code": f"A{n}"})

    changes = list(admin_client_.get(reverse("xero:settings")).context["changes"])

    assert len(changes) == 20
    assert changes[0].new == "A24"


def test_unknown_setting_names_are_refused(admin_user: User, tenant: Tenant) -> None:
    with pytest.raises(ValueError):
        xero_settings_update(tenant=tenant, user=admin_user, data={"tenant_id": 5})
