"""Contacts and settings endpoints of the sandbox, driven through the real xero-python SDK."""

from __future__ import annotations

from typing import Any

import pytest
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import AccountingBadRequestException

from integrations.xero.sandbox import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID

AU = DEMO_AU_ORG_ID


def _create(sdk: Any, *contacts: Contact, **kw: Any) -> Any:
    return sdk.accounting.create_contacts(AU, Contacts(contacts=list(contacts)), **kw).contacts


def test_settings_endpoints_return_the_seeded_demo_company(xero_sandbox_sdk: Any) -> None:
    api = xero_sandbox_sdk.accounting

    organisation = api.get_organisations(AU).organisations[0]
    accounts = {a.code: a for a in api.get_accounts(AU).accounts}
    tax_types = {t.tax_type for t in api.get_tax_rates(AU).tax_rates}
    tracking = api.get_tracking_categories(AU).tracking_categories
    themes = api.get_branding_themes(AU).branding_themes

    assert (organisation.organisation_id, organisation.name) == (AU, "Demo Company (AU)")
    assert organisation.base_currency.value == "AUD"
    assert accounts["200"].name == "Sales" and accounts["260"].name == "Other Revenue"
    assert {"OUTPUT", "EXEMPTOUTPUT", "BASEXCLUDED", "INPUT"} <= tax_types
    assert [c.name for c in tracking] == ["Region"] and len(tracking[0].options) == 4
    assert [t.name for t in themes] == ["Standard", "Special Projects"]


def test_each_organisation_has_its_own_settings(xero_sandbox_sdk: Any) -> None:
    nz_tax = {t.tax_type for t in xero_sandbox_sdk.accounting.get_tax_rates(DEMO_NZ_ORG_ID).tax_rates}

    assert "OUTPUT2" in nz_tax and "OUTPUT" not in nz_tax


def test_put_contacts_creates_a_batch_and_returns_contact_ids(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    created = _create(xero_sandbox_sdk, Contact(name="Acme Pty", contact_number="C-001"), Contact(name="Bolt Ltd"))

    assert [c.name for c in created] == ["Acme Pty", "Bolt Ltd"]
    assert all(len(c.contact_id) == 36 for c in created)
    assert {c["Name"] for c in xero_sandbox.control.contacts(AU)} == {"Acme Pty", "Bolt Ltd"}
    assert xero_sandbox.control.contacts(DEMO_NZ_ORG_ID) == []


def test_an_active_contact_name_must_be_unique(xero_sandbox: Any, xero_sandbox_sdk: Any) -> None:
    _create(xero_sandbox_sdk, Contact(name="Acme Pty"))

    with pytest.raises(AccountingBadRequestException) as error:
        _create(xero_sandbox_sdk, Contact(name="ACME PTY"), Contact(name="Fresh Co"))

    assert error.value.reason == (
        "The contact name ACME PTY is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )
    assert error.value.error_data["Type"] == "ValidationException"
    assert sorted(c["Name"] for c in xero_sandbox.control.contacts(AU)) == ["Acme Pty", "Fresh Co"]


def test_summarize_errors_false_reports_each_contact(xero_sandbox_sdk: Any) -> None:
    _create(xero_sandbox_sdk, Contact(name="Acme Pty"))

    result = _create(xero_sandbox_sdk, Contact(name="Acme Pty"), Contact(name="New Co"), summarize_errors=False)

    assert [c.status_attribute_string for c in result] == ["ERROR", "OK"]
    assert result[0].has_validation_errors is True
    assert "already assigned" in result[0].validation_errors[0].message


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('ContactNumber=="C-002"', ["Bolt Ltd"]),
        ('Name=="Acme Pty"', ["Acme Pty"]),
        ('ContactNumber=="C-002" OR Name=="Acme Pty"', ["Acme Pty", "Bolt Ltd"]),
        ('ContactNumber=="C-002" AND Name=="Acme Pty"', []),
        ('Name.ToLower()=="acme pty"', ["Acme Pty"]),
        ('Name.Contains("Ltd")', ["Bolt Ltd"]),
    ],
)
def test_contacts_where_filters(xero_sandbox_sdk: Any, where: str, expected: list[str]) -> None:
    _create(
        xero_sandbox_sdk,
        Contact(name="Acme Pty", contact_number="C-001"),
        Contact(name="Bolt Ltd", contact_number="C-002"),
    )

    found = xero_sandbox_sdk.accounting.get_contacts(AU, where=where).contacts

    assert sorted(c.name for c in found) == expected


def test_contacts_search_term_ids_and_paging(xero_sandbox_sdk: Any) -> None:
    created = _create(
        xero_sandbox_sdk, *[Contact(name=f"Customer {i:03d}", email_address=f"c{i}@x.example") for i in range(105)]
    )
    api = xero_sandbox_sdk.accounting

    by_term = api.get_contacts(AU, search_term="customer 01").contacts
    by_ids = api.get_contacts(AU, i_ds=[created[3].contact_id, created[7].contact_id]).contacts
    page_two = api.get_contacts(AU, page=2)

    assert len(by_term) == 10
    assert {c.contact_id for c in by_ids} == {created[3].contact_id, created[7].contact_id}
    assert len(page_two.contacts) == 5
    assert page_two.pagination.page_count == 2 and page_two.pagination.item_count == 105


def test_post_contacts_updates_by_contact_id(xero_sandbox_sdk: Any) -> None:
    (acme,) = _create(xero_sandbox_sdk, Contact(name="Acme Pty"))

    updated = xero_sandbox_sdk.accounting.update_or_create_contacts(
        AU, Contacts(contacts=[Contact(contact_id=acme.contact_id, email_address="ap@acme.example")])
    ).contacts[0]

    assert (updated.contact_id, updated.name, updated.email_address) == (acme.contact_id, "Acme Pty", "ap@acme.example")


def test_a_bad_where_clause_is_a_400(xero_sandbox_sdk: Any) -> None:
    with pytest.raises(AccountingBadRequestException):
        xero_sandbox_sdk.accounting.get_contacts(AU, where='Name=="unterminated')


def test_contacts_follow_the_order_parameter(xero_sandbox_sdk: Any) -> None:
    _create(
        xero_sandbox_sdk, Contact(name="Bolt Ltd", contact_number="C-1"), Contact(name="Acme Pty", contact_number="C-2")
    )

    by_number_desc = xero_sandbox_sdk.accounting.get_contacts(AU, order="ContactNumber DESC").contacts
    default = xero_sandbox_sdk.accounting.get_contacts(AU).contacts

    assert [c.contact_number for c in by_number_desc] == ["C-2", "C-1"]
    assert [c.name for c in default] == ["Acme Pty", "Bolt Ltd"]
