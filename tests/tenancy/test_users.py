"""Settings → Users (issue 8, section 4): invite by e-mail with a set-password link, change role,
deactivate, the last admin keeps the company administrable, every change audited; admins only."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tenancy.models import Role, Tenant, User, UserChange, UserChangeAction
from tenancy.users.services import UserAdminError, user_deactivate, user_invite, user_role_change
from tests.factories import UserFactory
from tests.outbox_delivery import delivered_on_commit, outbox_deliver_all

pytestmark = pytest.mark.django_db


def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/invite/\S+/\S+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def _logs_in(email: str, password: str) -> bool:
    client = Client()
    client.post("/login/", {"username": email, "password": password})
    return "_auth_user_id" in client.session


def _invite(client: Client, django_capture_on_commit_callbacks, **data: str):
    with delivered_on_commit(django_capture_on_commit_callbacks):
        return client.post(reverse("users:invite"), {"role": "accounts", **data}, follow=True)


def test_admin_invites_by_email_and_the_person_sets_a_password_and_logs_in(
    admin_client_: Client, admin_user: User, tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    response = _invite(admin_client_, django_capture_on_commit_callbacks, email="New.Person@Acme.example")

    assert "Invitation sent to new.person@acme.example" in response.content.decode()
    invited = User.objects.get(email="new.person@acme.example")
    assert (invited.tenant, invited.role, invited.has_usable_password()) == (tenant, Role.ACCOUNTS, False)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@acme.example"]
    assert tenant.name in mail.outbox[0].body
    link = _link(mail.outbox[0])

    anonymous = Client()
    form = anonymous.get(link, follow=True)
    assert "choose your password" in form.content.decode()
    done = anonymous.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Pallets-4-days!", "new_password2": "Pallets-4-days!"},
        follow=True,
    )
    assert "Password saved" in done.content.decode()
    assert _logs_in("new.person@acme.example", "Pallets-4-days!")
    assert "This link no longer works" in Client().get(link, follow=True).content.decode()
    change = UserChange.objects.get(user=invited)
    assert (change.action, change.changed_by, change.new_value) == (UserChangeAction.INVITED, admin_user, "accounts")


def test_inviting_an_address_that_has_an_account_is_a_form_error(
    admin_client_: Client, accounts_user: User, django_capture_on_commit_callbacks
) -> None:
    response = _invite(admin_client_, django_capture_on_commit_callbacks, email=accounts_user.email.upper())

    assert response.status_code == 400
    assert "already has an account" in response.content.decode()
    assert mail.outbox == [] and not UserChange.objects.exists()


def test_admin_changes_a_role_and_it_is_audited(admin_client_: Client, admin_user: User, ops_user: User) -> None:
    admin_client_.post(reverse("users:role", args=[ops_user.pk]), {"role": "accounts"})

    ops_user.refresh_from_db()
    assert ops_user.role == Role.ACCOUNTS
    change = UserChange.objects.get()
    assert (change.action, change.old_value, change.new_value, change.changed_by) == (
        UserChangeAction.ROLE_CHANGED,
        "operations",
        "accounts",
        admin_user,
    )
    page = admin_client_.get(reverse("users:list")).content.decode()
    assert "Role changed: Operations → Accounts" in page


def test_deactivated_user_is_logged_out_and_cannot_log_in(
    admin_client_: Client, accounts_user: User, accounts_client: Client
) -> None:
    admin_client_.post(reverse("users:deactivate", args=[accounts_user.pk]))

    accounts_user.refresh_from_db()
    assert accounts_user.is_active is False
    assert accounts_client.get(reverse("invoicing:ready")).status_code == 302  # session no longer valid
    assert not _logs_in(accounts_user.email, "pw")
    assert UserChange.objects.get().action == UserChangeAction.DEACTIVATED

    admin_client_.post(reverse("users:reactivate", args=[accounts_user.pk]))
    accounts_user.refresh_from_db()
    assert accounts_user.is_active is True
    assert UserChange.objects.filter(action=UserChangeAction.REACTIVATED).count() == 1


@pytest.mark.parametrize("action", ["role", "deactivate"])
def test_the_last_admin_cannot_demote_or_deactivate_themselves(
    admin_client_: Client, admin_user: User, action: str
) -> None:
    data = {"role": "operations"} if action == "role" else {}
    response = admin_client_.post(reverse(f"users:{action}", args=[admin_user.pk]), data, follow=True)

    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_active) == (Role.ADMIN, True)
    assert "is the last admin" in response.content.decode()
    assert not UserChange.objects.exists()


def test_with_a_second_admin_an_admin_may_step_down(admin_user: User, tenant: Tenant) -> None:
    UserFactory(tenant=tenant, role=Role.ADMIN, email="second@acme.example")

    user_role_change(user=admin_user, role=Role.OPERATIONS, by=admin_user)

    admin_user.refresh_from_db()
    assert admin_user.role == Role.OPERATIONS
    with pytest.raises(UserAdminError, match="last admin"):
        user_deactivate(user=User.objects.get(email="second@acme.example"), by=admin_user)


def test_a_deactivated_admin_does_not_count_as_the_other_admin(admin_user: User, tenant: Tenant) -> None:
    UserFactory(tenant=tenant, role=Role.ADMIN, email="gone@acme.example", is_active=False)

    with pytest.raises(UserAdminError, match="last admin"):
        user_role_change(user=admin_user, role=Role.ACCOUNTS, by=admin_user)


def test_resend_sends_a_new_link_only_to_someone_without_a_password(
    admin_client_: Client, admin_user: User, tenant: Tenant, accounts_user: User, django_capture_on_commit_callbacks
) -> None:
    invited = user_invite(tenant=tenant, email="later@acme.example", role=Role.OPERATIONS, invited_by=admin_user)
    outbox_deliver_all()  # the first invitation
    mail.outbox.clear()
    with delivered_on_commit(django_capture_on_commit_callbacks):
        admin_client_.post(reverse("users:resend", args=[invited.pk]))
        refused = admin_client_.post(reverse("users:resend", args=[accounts_user.pk]), follow=True)

    assert [m.to for m in mail.outbox] == [["later@acme.example"]]
    assert "already chosen a password" in refused.content.decode()
    assert UserChange.objects.filter(action=UserChangeAction.INVITE_RESENT).count() == 1


def test_invitation_link_of_a_deactivated_account_does_not_work(
    admin_user: User, tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    with delivered_on_commit(django_capture_on_commit_callbacks):
        invited = user_invite(tenant=tenant, email="x@acme.example", role=Role.OPERATIONS, invited_by=admin_user)
    user_deactivate(user=invited, by=admin_user)

    body = Client().get(_link(mail.outbox[0]), follow=True).content.decode()

    assert "This link no longer works" in body


def test_settings_links_to_users_and_the_page_lists_the_company_staff_only(
    admin_client_: Client, admin_user: User, ops_user: User, other_admin: User
) -> None:
    assert reverse("users:list") in admin_client_.get(reverse("settings")).content.decode()

    page = admin_client_.get(reverse("users:list")).content.decode()

    assert admin_user.email in page and ops_user.email in page
    assert other_admin.email not in page


@pytest.mark.parametrize("who", ["accounts_client", "ops_client"])
def test_accounts_and_operations_get_403_everywhere_and_change_nothing(
    request: pytest.FixtureRequest, who: str, admin_user: User, ops_user: User
) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get(reverse("users:list")).status_code == 403
    for name, data in [("invite", {"email": "a@b.example", "role": "admin"})]:
        assert client.post(reverse(f"users:{name}"), data).status_code == 403
    for name in ("role", "deactivate", "reactivate", "resend"):
        assert client.post(reverse(f"users:{name}", args=[admin_user.pk]), {"role": "operations"}).status_code == 403
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_active) == (Role.ADMIN, True)
    assert not User.objects.filter(email="a@b.example").exists()


def test_another_tenants_admin_gets_404_for_this_tenants_users(other_client: Client, ops_user: User) -> None:
    for name in ("role", "deactivate", "reactivate", "resend"):
        assert other_client.post(reverse(f"users:{name}", args=[ops_user.pk]), {"role": "admin"}).status_code == 404
    ops_user.refresh_from_db()
    assert (ops_user.role, ops_user.is_active) == (Role.OPERATIONS, True)


def test_anonymous_is_sent_to_log_in(client: Client, ops_user: User) -> None:
    response = client.get(reverse("users:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
