"""The customer role against *another customer of the same tenant*: the crawl of every URL again.

``test_isolation_crawl`` already crawls every URL as tenant A's customer user against tenant B. Here
the target is a sibling customer of tenant A itself, whose jobs, events and invoices carry their own
marker: every page and download of the project, requested by A's customer user with the sibling's
ids (and A's own staff pages with A's ids), must refuse or show nothing of the sibling's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F, Model, Value
from django.db.models.functions import Concat
from django.http import HttpResponse

from tenancy.models import Role
from tests.security.crawl import routes_all
from tests.security.test_isolation_crawl import Crawl, crawled
from tests.security.world import World, sequences_jump, world_build

CUSTOMER = Role.CUSTOMER.value


class SiblingCrawl(Crawl):
    """Crawl as the customer user (and anonymous) only: staff of the same tenant may see the sibling."""

    def __init__(self, a: World, sibling: World) -> None:
        super().__init__(a, sibling)
        self.clients = {who: c for who, c in self.clients.items() if who in (CUSTOMER, "anonymous")}

    def request(
        self, who: str, method: str, url: str, data: dict[str, Any] | None = None, **kw: Any
    ) -> HttpResponse | None:
        if who not in self.clients:  # the admin's form-discovery request: not part of this crawl
            return None
        return super().request(who, method, url, data, **kw)


def sibling_build(a: World) -> World:
    """A second customer of tenant A with a job of each kind, events and an invoice, all marked."""
    marker = "SIBLINGMARK3"
    other = world_build(slug="sibling", marker=marker)
    # Re-home the other world's customer-owned rows into tenant A under a new customer of A's.
    from bookings.models import Booking
    from customers.models import Customer
    from documents.models import Document
    from invoicing.models import Invoice
    from notes.models import Note
    from tracking.models import StatusEvent, TrackingLink
    from warehouse.models import WarehouseJob

    customer = next(o for o in other.objects if isinstance(o, Customer))
    Customer.objects.filter(pk=customer.pk).update(tenant=a.tenant, code="SIB-C1")
    for model in (Booking, WarehouseJob, Invoice):  # numbers are unique per tenant: S-prefix the moved ones
        model._default_manager.filter(tenant=other.tenant).update(
            tenant=a.tenant, number=Concat(Value("S"), F("number"))
        )
    StatusEvent.objects.filter(tenant=other.tenant).update(tenant=a.tenant)
    Note.objects.filter(tenant=other.tenant).update(tenant=a.tenant)
    Document.objects.filter(tenant=other.tenant).update(tenant=a.tenant)
    TrackingLink.objects.filter(tenant=other.tenant).update(tenant=a.tenant)
    keep = (Customer, Booking, WarehouseJob, Invoice, StatusEvent, Note, Document, TrackingLink)
    objects: list[Model] = [o for o in other.objects if isinstance(o, keep)]
    for obj in objects:
        obj.refresh_from_db()
    return World(tenant=a.tenant, marker=marker, users={}, objects=objects)


@pytest.fixture
def sibling_worlds(db: None) -> tuple[World, World]:
    a = world_build(slug="acme", marker="ACMEMARK7")
    lo = sequences_jump()
    sibling = sibling_build(a)
    sibling.pk_range = (lo, sequences_jump())
    return a, sibling


def test_customer_user_sees_nothing_of_a_sibling_customer(sibling_worlds: tuple[World, World]) -> None:
    a, sibling = sibling_worlds
    assert sibling.tenant == a.tenant
    crawl = SiblingCrawl(a, sibling)
    routes = [r for r in routes_all() if crawled(r)]
    for route in routes:
        crawl.crawl(route)
    portal_requests = [r for r in routes if r.namespace == "portal"]
    assert len(portal_requests) >= 4
    assert not crawl.problems, f"{len(crawl.problems)} problems:\n" + "\n".join(crawl.problems[:80])
