"""``python manage.py seed_demo``: a believable demo company, safe to run again.

Everything is drawn from ``random.Random(seed)`` so two runs (or two machines) build the same
company. A second run finds the jobs already there and changes nothing. Invoices are raised with
the real invoicing service, so the demo exercises the same code as the product.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from bookings.models import Booking, BookingCharge, BookingStatus
from customers.models import ConsolidationSchedule, Customer, InvoicingRule, ReferenceOverride
from integrations.xero.models import XeroSettings
from integrations.xero.settings_services import xero_settings_update
from invoicing.models import Invoice
from invoicing.services import invoice_raise_for_jobs, tenant_today
from portal.demo import portal_demo_jobs, portal_demo_user
from tenancy.models import Role, TaxCode, Tenant, User
from tenancy.services import number_format, sequence_next
from warehouse.models import WarehouseCharge, WarehouseJob, WarehouseJobKind, WarehouseJobStatus

DEFAULT_SEED = 20260
PLANNED_INVOICED = "invoiced"  # created completed, then invoiced through the service

CUSTOMERS = [
    "Harbour Wholesale Pty Ltd",
    "Blue Gum Furniture",
    "Southern Cross Pharma",
    "Koala Outdoor Gear",
    "Coastal Timber Supplies",
    "Redback Electrical",
    "Murray River Wines",
    "Pacific Paper Co",
    "Ironbark Engineering",
    "Sunburnt Country Foods",
    "Wattle & Co Homewares",
    "Tasman Marine Parts",
    "Outback Tyres Australia",
    "Greenleaf Organics",
    "Kookaburra Toys",
    "Bondi Surf Supply",
    "Eureka Building Products",
    "Silver Fern Imports",
    "Müller & Söhne Australia",
    "Metro Office National",
]
CITIES = [
    ("Sydney", "NSW", "2000"),
    ("Melbourne", "VIC", "3000"),
    ("Brisbane", "QLD", "4000"),
    ("Adelaide", "SA", "5000"),
    ("Perth", "WA", "6000"),
    ("Canberra", "ACT", "2600"),
    ("Newcastle", "NSW", "2300"),
    ("Geelong", "VIC", "3220"),
    ("Townsville", "QLD", "4810"),
]
STREETS = ["Industrial Ave", "Parramatta Rd", "Dock St", "Freight Way", "Logistics Dr", "Port Rd", "Depot Lane"]
LONG_REFERENCES = [
    "Project Harbour Bridge refurbishment stage 3 - deliver to gate 4 only, call site manager 30 min before arrival; "
    "cost centre 4410-22; approval ref CAPEX-2026-118; quote Q-88213 rev B; attention accounts payable team",
    "Multi-drop consolidation for store openings (Chatswood, Parramatta, Penrith, Liverpool, Campbelltown) "
    "per master agreement MSA-2024-07 schedule 2, rates as per tender T-4471, invoice per consignment please",
]
# Account codes every Xero "Demo Company (AU)" has (and so has the sandbox's): freight charges leave
# the account blank, so they go to the Default sales account chosen in Xero settings (200 Sales);
# warehouse charges name their own account, to show a per-line account.
DEFAULT_SALES_ACCOUNT = "200"
WAREHOUSE_ACCOUNT = "260"
#: Our tax codes → Xero AU tax types (the demo company's Xero settings, as an admin would choose them).
DEMO_TAX_TYPES = {"GST": "OUTPUT", "FRE": "EXEMPTOUTPUT"}
BOOKING_CHARGES = [
    ("Linehaul {a} to {b}", (180, 1450), "1", "GST", ""),
    ("Fuel levy", (18, 140), "1", "GST", ""),
    ("Tailgate delivery", (45, 85), "1", "GST", ""),
    ("Pallet handling", (6, 12), "pallets", "GST", ""),
    ("Waiting time (per 15 min)", (18, 25), "waits", "GST", ""),
    ("Dangerous goods surcharge", (55, 120), "1", "GST", ""),
    ("International freight (GST free)", (350, 2400), "1", "FRE", ""),
]
WAREHOUSE_CHARGES = [
    ("Storage per pallet per week", (8, 14), "pallets", "GST", WAREHOUSE_ACCOUNT),
    ("Pick and pack per carton", (2, 4), "cartons", "GST", WAREHOUSE_ACCOUNT),
    ("Container unpack 20ft", (280, 420), "1", "GST", WAREHOUSE_ACCOUNT),
    ("Inbound receiving per pallet", (7, 11), "pallets", "GST", WAREHOUSE_ACCOUNT),
    ("Shrink wrap and label", (4, 9), "pallets", "GST", WAREHOUSE_ACCOUNT),
]
BOOKING_STATUSES = [
    (BookingStatus.DRAFT, 12), (BookingStatus.BOOKED, 22), (BookingStatus.IN_TRANSIT, 22),
    (BookingStatus.DELIVERED, 24), (BookingStatus.COMPLETED, 30), (PLANNED_INVOICED, 22),
    (BookingStatus.CANCELLED, 8),
]  # fmt: skip
WAREHOUSE_STATUSES = [
    (WarehouseJobStatus.DRAFT, 10), (WarehouseJobStatus.BOOKED, 15), (WarehouseJobStatus.IN_PROGRESS, 20),
    (WarehouseJobStatus.COMPLETED, 25), (PLANNED_INVOICED, 20), (WarehouseJobStatus.CANCELLED, 10),
]  # fmt: skip


@dataclass
class SeedResult:
    tenant: Tenant
    logins: list[tuple[str, str, str]]  # email, role, password
    created_jobs: bool
    invoices_raised: int


def _reference(rng: random.Random, used: list[str], year: int) -> str:
    roll = rng.random()
    if roll < 0.10:
        return ""
    if roll < 0.20 and used:
        return rng.choice(used)  # the same PO covers several jobs
    if roll < 0.23:
        return rng.choice(LONG_REFERENCES)
    ref = rng.choice(
        [
            f"PO-{rng.randint(10000, 99999)}",
            f"JOB/{year}/{rng.randint(1, 999):04d}",
            f"WO {rng.randint(1000, 9999)}-{rng.choice('ABCD')}",
            f"45000{rng.randint(10000, 99999)}",
            f"SO{rng.randint(100000, 999999)}",
            f"CONS-{rng.choice(['SYD', 'MEL', 'BNE'])}-{rng.randint(1, 999):04d}",
            f'PO#{rng.randint(100, 999)}/ß-{rng.randint(1, 99)} "urgent"',
        ]
    )
    used.append(ref)
    return ref


def _status(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([s for s, _ in weights], weights=[w for _, w in weights])[0]


def _quantity(rng: random.Random, unit: str) -> Decimal:
    if unit == "1":
        return Decimal("1")
    if unit == "waits":
        return Decimal(rng.randint(1, 6))
    return Decimal(rng.randint(1, 24))


def _charges(
    rng: random.Random, catalogue: list[tuple[str, tuple[int, int], str, str, str]], route: tuple[str, str]
) -> list[dict[str, Any]]:
    picked = rng.sample(catalogue, rng.randint(1, min(4, len(catalogue))))
    rows = []
    for position, (text, (low, high), unit, tax, account) in enumerate(picked):
        price = Decimal(rng.randint(low * 100, high * 100)) / 100
        rows.append(
            {
                "description": text.format(a=route[0], b=route[1]),
                "quantity": _quantity(rng, unit),
                "unit_price": price,
                "tax": tax,
                "account_code": account,
                "position": position,
            }
        )
    return rows


def demo_company_name(slug: str) -> str:
    """ "demo" → "Demo Freight Co", "acme-demo" → "Acme Demo Freight Co": a second company seeded with
    ``--tenant`` is told apart from the first in the header and in every list of companies."""
    words = " ".join(part for part in slug.replace("_", "-").split("-") if part).title()
    return f"{words or 'Demo'} Freight Co"


def _tenant(slug: str, name: str | None = None) -> tuple[Tenant, dict[str, TaxCode]]:
    tenant, _ = Tenant.objects.get_or_create(
        slug=slug,
        defaults={"name": name or demo_company_name(slug), "timezone": "Australia/Sydney", "base_currency": "AUD"},
    )
    gst, _ = TaxCode.objects.get_or_create(tenant=tenant, code="GST", defaults={"name": "GST on Income", "rate": 10})
    fre, _ = TaxCode.objects.get_or_create(tenant=tenant, code="FRE", defaults={"name": "GST Free", "rate": 0})
    if tenant.default_tax_code_id is None:
        tenant.default_tax_code = gst
        tenant.save(update_fields=["default_tax_code"])
    return tenant, {"GST": gst, "FRE": fre}


def _users(tenant: Tenant, password: str) -> list[tuple[str, str, str]]:
    logins = []
    for word, role in (("admin", Role.ADMIN), ("accounts", Role.ACCOUNTS), ("ops", Role.OPERATIONS)):
        email = f"{word}@{tenant.slug}.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, tenant=tenant, role=role, full_name=f"Demo {word.title()}")
        else:
            changed = user.tenant_id != tenant.pk or user.role != role
            user.tenant, user.role = tenant, role
            if not user.check_password(password):
                user.set_password(password)
                changed = True
            if changed:
                user.save()
        logins.append((email, str(role), password))
    return logins


def _customers(tenant: Tenant, rng: random.Random) -> list[Customer]:
    customers = []
    for i, name in enumerate(CUSTOMERS):
        city, state, postcode = CITIES[i % len(CITIES)]
        consolidated = i % 3 == 0
        override = (
            ReferenceOverride.ALWAYS
            if i in (4, 13)
            else ReferenceOverride.NEVER
            if i in (7, 16)
            else ReferenceOverride.INHERIT
        )
        customer, _ = Customer.objects.get_or_create(
            tenant=tenant,
            code=f"C{i + 1:03d}",
            defaults={
                "name": name,
                "email": f"accounts@{''.join(c for c in name.lower() if c.isalpha())[:16]}.example.com",
                "billing_address": f"{rng.randint(1, 400)} {rng.choice(STREETS)}\n{city} {state} {postcode}\nAustralia",
                "payment_terms_days": rng.choice([7, 14, 30, 30, 45]),
                "currency": "AUD",
                "invoicing_rule": InvoicingRule.CONSOLIDATED if consolidated else InvoicingRule.PER_JOB,
                "consolidation_schedule": (
                    rng.choice(
                        [ConsolidationSchedule.WEEKLY, ConsolidationSchedule.MONTHLY, ConsolidationSchedule.ON_DEMAND]
                    )
                    if consolidated
                    else ConsolidationSchedule.ON_DEMAND
                ),
                "send_reference": override,
            },
        )
        customers.append(customer)
    return customers


def _job_dates(rng: random.Random, status: str, today: dt.date) -> tuple[dt.date, dt.date]:
    future = status in ("draft", "booked")
    start = today + dt.timedelta(days=rng.randint(1, 21) if future else -rng.randint(2, 60))
    return start, start + dt.timedelta(days=rng.randint(0, 4))


def _next_number(tenant: Tenant, model: type[Booking] | type[WarehouseJob]) -> str:
    return number_format(prefix=model.NUMBER_PREFIX, value=sequence_next(tenant=tenant, name=model.SEQUENCE_NAME))


def _jobs(
    tenant: Tenant, customers: list[Customer], taxes: dict[str, TaxCode], rng: random.Random
) -> list[Booking | WarehouseJob]:
    """Create the bookings and warehouse jobs; return those planned to be invoiced."""
    today = tenant_today(tenant=tenant)
    used: list[str] = []
    to_invoice: list[Booking | WarehouseJob] = []
    bookings, booking_charges = [], []
    for _ in range(200):
        status = _status(rng, BOOKING_STATUSES)
        (a, _, _), (b, _, _) = rng.sample(CITIES, 2)
        pickup, delivery = _job_dates(rng, status, today)
        booking = Booking(
            tenant=tenant,
            number=_next_number(tenant, Booking),
            customer=rng.choice(customers),
            customer_reference=_reference(rng, used, today.year),
            status=BookingStatus.COMPLETED if status == PLANNED_INVOICED else status,
            consignor_name=rng.choice(CUSTOMERS),
            consignor_address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {a}",
            consignee_name=rng.choice(CUSTOMERS),
            consignee_address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {b}",
            pickup_date=pickup,
            delivery_date=delivery,
            pieces=rng.randint(1, 40),
            weight_kg=Decimal(rng.randint(50, 24000)),
            volume_m3=Decimal(rng.randint(100, 60000)) / 1000,
        )
        bookings.append(booking)
        booking_charges.append(_charges(rng, BOOKING_CHARGES, (a, b)))
        if status == PLANNED_INVOICED:
            to_invoice.append(booking)
    Booking.objects.bulk_create(bookings)
    BookingCharge.objects.bulk_create(
        BookingCharge(job=job, tax_code=taxes[row.pop("tax")], **row)
        for job, rows in zip(bookings, booking_charges, strict=True)
        for row in rows
    )
    jobs, job_charges = [], []
    for _ in range(50):
        status = _status(rng, WAREHOUSE_STATUSES)
        start, end = _job_dates(rng, status, today)
        job = WarehouseJob(
            tenant=tenant,
            number=_next_number(tenant, WarehouseJob),
            customer=rng.choice(customers),
            customer_reference=_reference(rng, used, today.year),
            kind=rng.choice(list(WarehouseJobKind)),
            status=WarehouseJobStatus.COMPLETED if status == PLANNED_INVOICED else status,
            start_date=start,
            end_date=end,
        )
        jobs.append(job)
        job_charges.append(_charges(rng, WAREHOUSE_CHARGES, ("", "")))
        if status == PLANNED_INVOICED:
            to_invoice.append(job)
    WarehouseJob.objects.bulk_create(jobs)
    WarehouseCharge.objects.bulk_create(
        WarehouseCharge(job=job, tax_code=taxes[row.pop("tax")], **row)
        for job, rows in zip(jobs, job_charges, strict=True)
        for row in rows
    )
    return to_invoice


def _xero_settings(tenant: Tenant) -> None:
    """The demo company's account and tax mapping, set once by its admin (audited like any change)."""
    if XeroSettings.objects.filter(tenant=tenant).exists():
        return
    admin = User.objects.get(email=f"admin@{tenant.slug}.example")
    xero_settings_update(
        tenant=tenant,
        user=admin,
        data={"default_account_code": DEFAULT_SALES_ACCOUNT, "tax_type_map": DEMO_TAX_TYPES},
    )


def demo_seed(*, slug: str, password: str, seed: int = DEFAULT_SEED, name: str | None = None) -> SeedResult:
    """Create (or find) the demo company. All or nothing: one transaction."""
    rng = random.Random(seed)
    with transaction.atomic():
        tenant, taxes = _tenant(slug, name)
        logins = _users(tenant, password)
        customers = _customers(tenant, rng)
        logins.append(portal_demo_user(tenant=tenant, customer=customers[0], password=password))
        _xero_settings(tenant)
        has_jobs = Booking.objects.filter(tenant=tenant).exists() or WarehouseJob.objects.filter(tenant=tenant).exists()
        if has_jobs:
            return SeedResult(tenant=tenant, logins=logins, created_jobs=False, invoices_raised=0)
        to_invoice = _jobs(tenant, customers, taxes, rng)
        portal_demo_jobs(tenant=tenant, customer=customers[0], seed=seed)
        # A few drafts to review, the rest straight onto Ready to Export.
        drafts = to_invoice[:3]
        raised = invoice_raise_for_jobs(tenant=tenant, jobs=drafts)
        raised += invoice_raise_for_jobs(tenant=tenant, jobs=to_invoice[3:], mark_ready=True)
    return SeedResult(tenant=tenant, logins=logins, created_jobs=True, invoices_raised=len(raised))


class Command(BaseCommand):
    help = "Create a demo freight company with users, customers, jobs and invoices (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="demo", help="Tenant slug (default: demo)")
        parser.add_argument(
            "--name", default=None, help="Company name (default: from the slug, e.g. acme → Acme Freight Co)"
        )
        parser.add_argument("--password", default="demo12345", help="Password for the demo users")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same data)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_seed(
            slug=options["tenant"], password=options["password"], seed=options["seed"], name=options["name"]
        )
        tenant = result.tenant
        if result.created_jobs:
            self.stdout.write(self.style.SUCCESS(f"Created demo data for {tenant.name} ({tenant.slug})."))
        else:
            self.stdout.write(f"{tenant.name} ({tenant.slug}) already has demo data; nothing changed.")
        self.stdout.write(
            f"  {Customer.objects.filter(tenant=tenant).count()} customers, "
            f"{Booking.objects.filter(tenant=tenant).count()} bookings, "
            f"{WarehouseJob.objects.filter(tenant=tenant).count()} warehouse jobs, "
            f"{Invoice.objects.filter(tenant=tenant).count()} invoices"
        )
        self.stdout.write("Log in with:")
        for email, role, password in result.logins:
            self.stdout.write(f"  {email:<28} {password}   ({role})")
