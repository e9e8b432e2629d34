"""Tenant-isolation crawl: every URL pattern, every role of tenant A, tenant B's objects.

The crawl resolves the URLconf itself, so a view added tomorrow is crawled tomorrow without
editing this file. A pattern can only be left out through ``NOT_CRAWLED`` with a written reason,
and a pattern whose role policy is unknown fails ``test_every_url_pattern_has_a_role_policy``.

What counts as a failure, for every pattern:
- any response to tenant A (any role, any status) that contains tenant B's marker or public ids;
- tenant B's object in the URL answered with anything but 403/404/405 (or 400) for a signed-in
  user — a 200 or a redirect means A reached B's object;
- a POST that changes any of tenant B's rows or links a new row to one of them;
- a role outside the page's policy (operations on invoicing, accounts on settings, …) answered
  with anything but 403/404/405, or changing any row;
- anonymous answered with anything but a redirect to the login page (or 403/404/405);
- a server error (an exception escaping the view).

Besides ids in the URL, tenant B's ids are posted in the body: every field of the page's forms set
to each of B's ids, and the page's own form (as tenant A's admin sees it) posted back with one
reference at a time swapped for one of B's — the classic "edit my booking, pick their customer".
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client

from tenancy.models import Role
from tests.security.crawl import (
    Route,
    change_touches,
    db_changes,
    db_snapshot,
    routes_all,
    urls_for,
    writes_so_far,
)
from tests.security.forms import main_form
from tests.security.world import World, sequences_jump, world_build

ADMIN, ACCOUNTS, OPS = Role.ADMIN.value, Role.ACCOUNTS.value, Role.OPERATIONS.value
CUSTOMER = Role.CUSTOMER.value
ANY_ROLE = frozenset({ADMIN, ACCOUNTS, OPS})  # staff; customer users see the portal only
CUSTOMER_ONLY = frozenset({CUSTOMER})
INVOICE_ROLES = frozenset({ADMIN, ACCOUNTS})
ADMIN_ONLY = frozenset({ADMIN})
UPLOAD_ROLES = frozenset({ADMIN, OPS})

# Patterns deliberately not crawled, each with the reason. Keys are "namespace:name" or a namespace
# followed by ":*" for a whole namespace.
NOT_CRAWLED: dict[str, str] = {
    "admin:*": (
        "Django admin: staff-only (tenant users are never is_staff), guarded by Django's own admin_view; "
        "test_django_admin_refuses_tenant_users checks a tenant admin cannot enter it."
    ),
    "login": "Public by design; brute force is covered by the axes lockout tests in test_login_rate_limit.py.",
    "logout": "Public by design and it ends the crawler's own session; holds no tenant data.",
    "healthz": "Public liveness probe returning a constant JSON body; holds no tenant data.",
    **{
        name: (
            "Public password reset by e-mail (Django's own views and signed tokens); holds no tenant data; "
            "tested in tests/tenancy/test_error_pages.py and test_users.py."
        )
        for name in ("password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete")
    },
    "xero_webhook": (
        "Xero's webhook endpoint: public and CSRF-exempt by design (Xero cannot hold a session or a CSRF token); "
        "authenticated by the HMAC-SHA256 signature instead, answers 401 and records nothing when it is wrong, and "
        "only records events; tested in integrations/xero/tests/test_payment_sync.py."
    ),
    "invite_accept": (
        "Public set-password page of an invitation (Django's reset-confirm view and token); refuses deactivated "
        "accounts; tested in tests/tenancy/test_users.py."
    ),
}

# Which roles may use a page (the product brief): operations never see invoices, only admins reach
# Settings. Looked up by full name first, then by namespace.
POLICY_BY_NAME: dict[str, frozenset[str]] = {
    "home": ANY_ROLE | CUSTOMER_ONLY,  # sends each role to its start page
    "settings": ADMIN_ONLY,
    "xero_export:mark_exported": ADMIN_ONLY,
    "notes:settings": ADMIN_ONLY,
}
POLICY_BY_NAMESPACE: dict[str, frozenset[str]] = {
    "leaky": INVOICE_ROLES,  # tests/security/leaky_urls.py, only mounted by the self-test below
    "customers": ANY_ROLE,
    "bookings": ANY_ROLE,
    "warehouse": ANY_ROLE,
    "invoicing": INVOICE_ROLES,
    "xero_export": INVOICE_ROLES,
    "xero": ADMIN_ONLY,
    "tracking": ANY_ROLE,
    "notes": ANY_ROLE,
    "outbox": ANY_ROLE,
    "documents": ANY_ROLE,
    # Public by design, but only with a signed token: no made-up token (the crawl's ids) opens it.
    "tracking_public": ANY_ROLE | CUSTOMER_ONLY,
    "portal": CUSTOMER_ONLY,
    "portal_users": ANY_ROLE,  # staff invite a customer's people from its page
    "users": ADMIN_ONLY,  # Settings → Users
    "uploads": UPLOAD_ROLES,
}
# Field names a view might read object ids from; the crawler also adds every field of the page's forms.
COMMON_POST_FIELDS = (
    "id", "ids", "pk", "public_id", "invoice", "invoices", "invoice_ids", "selected", "customer", "job", "jobs",
    "booking", "bookings", "warehouse_job", "warehouse_jobs", "run", "tenant", "organisation", "xero_tenant_id",
)  # fmt: skip
REFUSED = {403, 404, 405}
ID_LIKE = re.compile(r"(^|[-_])(id|pk|customer|job|invoice|booking|run|line_id|tax_code)s?$")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MANAGEMENT_SUFFIXES = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def crawled(route: Route) -> bool:
    return route.name not in NOT_CRAWLED and f"{route.namespace}:*" not in NOT_CRAWLED


def policy_for(route: Route) -> frozenset[str] | None:
    if route.name in POLICY_BY_NAME:
        return POLICY_BY_NAME[route.name]
    return POLICY_BY_NAMESPACE.get(route.namespace)


def form_field_names(html: str) -> set[str]:
    return set(re.findall(r"<(?:input|select|textarea)[^>]*\bname=[\"']([^\"']+)[\"']", html))


def composite_id_prefixes(html: str) -> set[str]:
    """Prefixes of composite ids the page posts (e.g. "b:" of value="b:12"), to forge B's versions."""
    values = re.findall(r"\bvalue=[\"']([A-Za-z]{1,12}[:_-])\d+[\"']", html)
    return set(values)


class Crawl:
    """Runs requests and collects every problem, so one run lists all leaks at once."""

    def __init__(self, a: World, b: World) -> None:
        self.a, self.b = a, b
        self.problems: list[str] = []
        self.requests = 0
        self.prefixes: set[str] = set()
        self.clients: dict[str, Client] = {"anonymous": Client()}
        for role, user in a.users.items():
            client = Client()
            client.force_login(user)
            self.clients[str(role)] = client
        self.login_path = resolve_url(settings.LOGIN_URL)
        self.snapshot = db_snapshot()
        self.writes = writes_so_far()

    def problem(self, who: str, method: str, url: str, what: str) -> None:
        line = f"{method} {url} as {who}: {what}"
        if line not in self.problems:
            self.problems.append(line)

    def request(
        self, who: str, method: str, url: str, data: dict[str, Any] | None = None, *, touch_nothing: bool = False
    ) -> HttpResponse | None:
        """One request; then what it wrote: nothing at all when ``touch_nothing``, else nothing of B's."""
        self.requests += 1
        client = self.clients[who]
        response: Any = None
        try:
            # A savepoint per request: a view that fails mid-write cannot poison the next request.
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url, data or {})
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.problem(
                who, method, url, f"server error {type(exc).__name__}: {exc} at {where.filename}:{where.lineno}"[:400]
            )
        self.check_writes(who, method, url, data or {}, touch_nothing=touch_nothing or who == "anonymous")
        return response

    def check_writes(self, who: str, method: str, url: str, data: dict[str, Any], *, touch_nothing: bool) -> None:
        # PostgreSQL counts this transaction's row writes: snapshot only after a request that wrote.
        writes = writes_so_far()
        if writes == self.writes:
            return
        self.writes = writes
        after = db_snapshot()
        changes, self.snapshot = db_changes(self.snapshot, after), after
        touched = [c for c in changes if touch_nothing or change_touches(c, *self.b.pk_range)]
        for model, pk, _row in touched[:3]:
            self.problem(who, method, url, f"changed {model} pk={pk} (posted: {sorted(data)[:4]}…)")

    def check_no_leak(
        self, who: str, method: str, url: str, response: HttpResponse, sent: dict[str, Any] | None = None
    ) -> None:
        body = response.content.decode(errors="replace") if not response.streaming else ""
        body += " " + response.get("Location", "").split("?")[0]
        echoed = repr(sent or {})  # a form showing back what was posted to it is not a leak
        for needle in self.b.leak_needles:
            if needle in body and needle not in echoed:
                self.problem(who, method, url, f"response ({response.status_code}) shows tenant B's {needle!r}")

    def check_refused(self, who: str, method: str, url: str, response: HttpResponse, *, allow_400: bool) -> None:
        status = response.status_code
        if who == "anonymous":
            location = response.get("Location", "")
            if status == 302 and location.startswith(self.login_path):
                return
            if status in REFUSED:
                return
            self.problem(who, method, url, f"anonymous got {status} {location}".strip())
            return
        if status in REFUSED or (allow_400 and status == 400):
            return
        self.problem(who, method, url, f"expected 403/404/405, got {status} {response.get('Location', '')}".strip())

    def post_payloads(self, fields: Iterable[str]) -> list[dict[str, Any]]:
        """One payload per identifier of tenant B, every field set to it, plus one with all of them.

        Formset management fields (TOTAL_FORMS, …) are counts, not references; they are left out here
        (test_hostile_input covers them).
        """
        names = sorted({n for n in set(fields) | set(COMMON_POST_FIELDS) if not n.endswith(MANAGEMENT_SUFFIXES)})
        idents = [
            *map(str, self.b.pks),
            *self.b.uuids,
            self.b.tenant.slug,
            *(f"{prefix}{pk}" for prefix in sorted(self.prefixes) for pk in self.b.pks),
        ]
        return [{n: ident for n in names} for ident in idents] + [{n: idents for n in names}]

    def swapped_payloads(self, html: str, url: str) -> list[dict[str, Any]]:
        """The page's form as rendered, with one id-like field at a time set to one of B's ids."""
        try:
            form = main_form(html, action=url)
        except AssertionError:
            return []
        base = form.baseline()
        payloads = []
        for f in form.fields:
            if f.name == "csrfmiddlewaretoken" or f.name.endswith(MANAGEMENT_SUFFIXES):
                continue
            sample = f.value or next((o for o in f.options if o), "")
            if not (f.tag == "select" or f.type in ("hidden", "checkbox", "radio") or ID_LIKE.search(f.name)):
                continue
            if UUID_RE.fullmatch(sample):
                idents = list(self.b.uuids)
            elif m := re.fullmatch(r"([A-Za-z]{1,12}[:_-])\d+", sample):
                idents = [f"{m.group(1)}{pk}" for pk in self.b.pks]
            elif sample.isdigit() or not sample:
                idents = [str(pk) for pk in self.b.pks]
            else:
                continue
            payloads += [{**base, f.name: ident} for ident in idents]
        return payloads

    def crawl(self, route: Route) -> None:
        policy = policy_for(route)
        assert policy is not None, route.name  # test_every_url_pattern_has_a_role_policy explains
        b_urls = urls_for(route, self.b)
        a_urls = urls_for(route, self.a)
        if route.params and not b_urls:
            self.problems.append(
                f"{route.name}: no object of tenant B fits {route.route}; extend tests/security/world.py"
            )
        # Fields the page's own forms post, as tenant A's admin sees them.
        fields: set[str] = set()
        self.prefixes = set()
        html, a_page = "", ""
        # The first of A's ids that names an object of this page (ids are tried for every model).
        for url in a_urls if ADMIN in policy else []:
            response = self.request(ADMIN, "GET", url)
            if response is not None and response.status_code == 200 and not response.streaming:
                html, a_page = response.content.decode(errors="replace"), url
                fields, self.prefixes = form_field_names(html), composite_id_prefixes(html)
                break

        for who in self.clients:
            allowed = who in policy
            # 1. Tenant B's objects in the URL (or B's ids in the POST body) as each of A's users.
            for url in b_urls if route.params else []:
                for method in ("GET", "POST"):
                    self.attempt(who, method, url, expect_refusal=True, allow_400=allowed, payloads=[{}],
                                 touch_nothing=not allowed)  # fmt: skip
            if not route.params and allowed and who != "anonymous":
                response = self.request(who, "GET", b_urls[0])
                if response is not None:
                    self.check_no_leak(who, "GET", b_urls[0], response)
                self.attempt(who, "POST", b_urls[0], expect_refusal=False, allow_400=True,
                             payloads=self.post_payloads(fields))  # fmt: skip
            # 2. The role policy, on tenant A's own objects.
            if not allowed:
                for url in a_urls:
                    for method in ("GET", "POST"):
                        self.attempt(who, method, url, expect_refusal=True, allow_400=False, payloads=[{}],
                                     touch_nothing=True)  # fmt: skip
        # 3. Tenant A's own form, filled in as its admin would, with one reference swapped for B's.
        if html:
            self.attempt(ADMIN, "POST", a_page, expect_refusal=False, allow_400=True,
                         payloads=self.swapped_payloads(html, a_page))  # fmt: skip

    def attempt(
        self,
        who: str,
        method: str,
        url: str,
        *,
        expect_refusal: bool,
        allow_400: bool,
        payloads: list[dict[str, Any]],
        touch_nothing: bool = False,
    ) -> None:
        for data in payloads:
            response = self.request(who, method, url, data, touch_nothing=touch_nothing)
            if response is None:
                continue
            self.check_no_leak(who, method, url, response, data)
            if expect_refusal:
                self.check_refused(who, method, url, response, allow_400=allow_400)


@pytest.fixture
def worlds(db: None) -> tuple[World, World]:
    a = world_build(slug="acme", marker="ACMEMARK7")
    lo = sequences_jump()
    b = world_build(slug="rival", marker="RIVALMARK9")
    b.pk_range = (lo, sequences_jump())
    return a, b


def test_every_url_pattern_has_a_role_policy() -> None:
    unknown = [r.name for r in routes_all() if crawled(r) and policy_for(r) is None]
    assert not unknown, (
        f"New URL patterns without a role policy: {unknown}. Add them to POLICY_BY_NAME/POLICY_BY_NAMESPACE "
        "(or to NOT_CRAWLED with a reason)."
    )


def test_every_not_crawled_entry_names_an_existing_pattern() -> None:
    names = {r.name for r in routes_all()} | {f"{r.namespace}:*" for r in routes_all()}
    stale = sorted(set(NOT_CRAWLED) - names)
    assert not stale, f"NOT_CRAWLED lists patterns that no longer exist: {stale}"
    assert all(len(reason) > 20 for reason in NOT_CRAWLED.values())


def test_every_named_pattern_can_be_reversed() -> None:
    unnamed = [r.route for r in routes_all() if r.name.startswith("<unnamed") and crawled(r)]
    assert not unnamed, f"Unnamed URL patterns cannot be crawled; give them a name: {unnamed}"


def test_world_has_a_row_of_every_business_model(worlds: tuple[World, World]) -> None:
    """A new model joins the crawl only if the worlds hold one of its rows; this says when to extend them."""
    from django.apps import apps

    from tests.security.crawl import DATA_APPS

    _a, b = worlds
    have = {type(o)._meta.label for o in b.objects}
    missing = sorted(
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in DATA_APPS and m._meta.label not in have and m._meta.label != "tenancy.Sequence"
    )
    assert not missing, f"tests/security/world.py creates no row of {missing}"


# The crawl is split into shards of URL patterns so that pytest-xdist runs them on every worker at
# once (one 2-minute test used to set the whole suite's floor). Every pattern is in exactly one shard.
CRAWL_SHARDS = 6


def crawl_shard(routes: list[Route], shard: int) -> list[Route]:
    return [route for index, route in enumerate(sorted(routes, key=lambda r: r.name)) if index % CRAWL_SHARDS == shard]


def test_crawl_shards_cover_every_pattern_once() -> None:
    routes = [r for r in routes_all() if crawled(r)]
    shards = [crawl_shard(routes, shard) for shard in range(CRAWL_SHARDS)]
    assert sorted(r.name for shard in shards for r in shard) == sorted(r.name for r in routes)
    assert all(shards), "fewer patterns than shards"


@pytest.mark.parametrize("shard", range(CRAWL_SHARDS))
def test_crawl_every_url_as_every_role_of_another_tenant(worlds: tuple[World, World], shard: int) -> None:
    a, b = worlds
    crawl = Crawl(a, b)
    all_routes = [r for r in routes_all() if crawled(r)]
    assert len(all_routes) >= 5
    routes = crawl_shard(all_routes, shard)
    for route in routes:
        crawl.crawl(route)
    assert crawl.requests > len(routes)
    assert not crawl.problems, f"{len(crawl.problems)} isolation problems:\n" + "\n".join(crawl.problems[:80])


def test_django_admin_refuses_tenant_users(worlds: tuple[World, World]) -> None:
    a, _b = worlds
    for user in a.users.values():
        client = Client()
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_crawl_catches_a_deliberately_unscoped_view(worlds: tuple[World, World], settings: Any) -> None:
    """The crawl's own proof that it can fail: a view that skips the tenant scope, one that skips the
    role, and a form of tenant A that accepts tenant B's id in its body."""
    settings.ROOT_URLCONF = "tests.security.leaky_urls"
    a, b = worlds
    crawl = Crawl(a, b)

    for route in routes_all():
        if route.namespace == "leaky":
            crawl.crawl(route)

    report = "\n".join(crawl.problems)
    assert f"/leaky/customers/{b.pk_range[0]}/peek/ as admin: response (200) shows tenant B's 'RIVALMARK9'" in report
    assert "changed customers.Customer" in report
    assert "/total/ as operations: expected 403/404/405, got 200" in report
    assert re.search(r"POST /leaky/bookings/\d+/reassign/ as admin: changed bookings.Booking", report), report


def test_every_view_refuses_a_post_without_a_csrf_token(worlds: tuple[World, World]) -> None:
    """CSRF is on for every view of the walk (none is csrf_exempt): a forged cross-site POST gets 403."""
    a, _b = worlds
    client = Client(enforce_csrf_checks=True)
    client.force_login(a.users[ADMIN])
    exempt = []
    for route in routes_all():
        if not crawled(route):
            continue
        urls = urls_for(route, a)
        if not urls:
            continue
        response = client.post(urls[0], {"anything": "1"})
        if response.status_code != 403:
            exempt.append(f"{route.name}: {response.status_code}")
    assert not exempt, f"POST without CSRF token not refused: {exempt}"
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/login/", {"username": "admin@acme.example", "password": "pw"}).status_code == 403
