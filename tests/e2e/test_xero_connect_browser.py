"""An admin connects Xero through the sandbox's real consent page and turns Send Customer Reference on."""

from __future__ import annotations

import re
from typing import Any

import pytest

from integrations.xero.models import ReferenceRule, XeroConnection, XeroSettings, XeroSettingsChange
from tenancy.models import Role
from tests.e2e.conftest import login
from tests.factories import TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


def test_admin_connects_xero_and_turns_send_customer_reference_on(
    page: Any, xero_sandbox: Any, xero_endpoints: dict[str, str]
) -> None:
    tenant: Any = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.example", full_name="Alice Admin")
    login(page, "admin@acme.example")

    # Settings → Integration → Authentication → Xero
    page.get_by_role("navigation").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Xero", exact=True).click()
    crumbs = page.locator("nav.breadcrumbs")
    assert re.sub(r"\s+", " ", crumbs.inner_text()).strip().split(" ")[:4] == [
        "Settings",
        "Integration",
        "Authentication",
        "Xero",
    ]
    page.get_by_role("button", name="Connect to Xero").click()

    # The sandbox's consent page — a real page on another origin, not auto-approved.
    page.wait_for_url(f"{xero_endpoints['XERO_AUTHORIZE_URL']}*")
    assert page.get_by_text("Allow access?").is_visible()
    page.shots("sandbox-consent")
    page.get_by_role("button", name="Allow access").click()

    # Back on our page, connected to the organisation that was ticked (the first one).
    page.wait_for_url(re.compile(r".*/settings/integration/authentication/xero/$"))
    connection_box = page.locator("#xero-connection")
    assert "Demo Company (AU)" in connection_box.inner_text()
    assert XeroConnection.objects.get(tenant=tenant).xero_tenant_id == xero_sandbox.au_org_id

    # Send Customer Reference on, reference rule "all references", save.
    page.get_by_label("Send Customer Reference").check()
    page.get_by_label(ReferenceRule.ALL_REFERENCES.label).check()
    page.get_by_role("button", name="Save Xero settings").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_text("Xero settings saved").is_visible()
    changes = page.locator("#xero-changes")
    text = changes.inner_text()
    assert "send_customer_reference" in text or "Send Customer Reference" in text
    assert "Alice Admin" in text or "admin@acme.example" in text
    page.shots("xero-settings-saved", readme="xero-settings")

    xs = XeroSettings.objects.get(tenant=tenant)
    assert xs.send_customer_reference is True
    assert xs.reference_rule == ReferenceRule.ALL_REFERENCES
    audit = XeroSettingsChange.objects.filter(tenant=tenant, field__icontains="reference")
    assert audit.count() >= 2  # the toggle and the rule, each with who/old/new


def test_admin_who_cancels_on_the_consent_page_is_told_and_nothing_is_saved(
    page: Any, xero_sandbox: Any, xero_endpoints: dict[str, str]
) -> None:
    tenant: Any = TenantFactory(name="Acme Freight", slug="acme")
    UserFactory(tenant=tenant, role=Role.ADMIN, email="admin@acme.example")
    login(page, "admin@acme.example")
    page.goto("/settings/integration/authentication/xero/")

    page.get_by_role("button", name="Connect to Xero").click()
    page.wait_for_url(f"{xero_endpoints['XERO_AUTHORIZE_URL']}*")
    page.get_by_role("button", name="Cancel").click()

    page.wait_for_url(re.compile(r".*/settings/integration/authentication/xero/$"))
    assert page.locator(".flash").first.is_visible()
    page.shots("connect-cancelled")
    assert not XeroConnection.objects.filter(tenant=tenant).exists()
