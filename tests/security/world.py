"""A tenant's complete little world: one row of every model the views use, each carrying a marker.

The isolation crawl builds one world for tenant A (the users who crawl) and one for tenant B (the
target). B's rows carry B's marker in every free-text field, so any page that shows B's data to A
is caught by searching the response for the marker. Rows are written with the ORM only, not with
the product's services, so the crawl does not depend on how other features are implemented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from bookings.models import Booking, BookingCharge, BookingStatus
from customers.models import InvoicingRule
from integrations.xero.crypto import secret_encrypt
from integrations.xero.models import (
    AttemptOutcome,
    ExportAttempt,
    ExportRun,
    ExportRunStatus,
    ExportTrigger,
    XeroConnection,
    XeroOrgCache,
    XeroPaymentSync,
    XeroPendingAuthorisation,
    XeroRateLimitState,
    XeroSettings,
    XeroSettingsChange,
    XeroWebhookEvent,
)
from invoicing.models import Invoice, InvoiceJob, InvoiceLine, InvoiceStatus, RaiseRun, RaiseRunStatus
from tenancy.models import Role, Tenant, User, UserChange, UserChangeAction
from tests.factories import BookingFactory, CustomerFactory, TenantFactory, UserFactory, WarehouseJobFactory
from uploads.models import Upload, UploadKind, UploadRow, UploadStatus
from warehouse.models import WarehouseCharge, WarehouseJobStatus


@dataclass
class World:
    tenant: Tenant
    marker: str
    users: dict[str, User]
    objects: list[Model] = field(default_factory=list)
    pk_range: tuple[int, int] = (0, 0)  # [lo, hi): ids this world's rows were given (see sequences_jump)

    @property
    def uuids(self) -> list[str]:
        """Every UUID-valued field of this world's rows (public ids used in URLs)."""
        found: list[str] = []
        for obj in self.objects:
            for f in obj._meta.concrete_fields:
                value = getattr(obj, f.attname)
                if isinstance(value, uuid.UUID):
                    found.append(str(value))
        return sorted(set(found))

    @property
    def pks(self) -> list[int]:
        return sorted({int(obj.pk) for obj in self.objects if isinstance(obj.pk, int)})

    @property
    def strings(self) -> list[str]:
        """Values for ``<slug:…>``/``<str:…>`` parameters: slugs, numbers, Xero ids of this world."""
        values = {self.tenant.slug}
        for obj in self.objects:
            for name in ("slug", "number", "code", "xero_tenant_id", "kind"):
                value = getattr(obj, name, None)
                if isinstance(value, str) and value:
                    values.add(value)
        return sorted(values)

    @property
    def leak_needles(self) -> list[str]:
        """Strings that must never appear in a response served to another tenant."""
        return [self.marker, *self.uuids]


def _pk_sequences() -> list[tuple[str, str]]:
    out = []
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if pk is not None and pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            out.append((model._meta.db_table, str(pk.column)))
    return out


def sequences_jump(*, gap: int = 100_000) -> int:
    """Move every primary-key sequence past every id handed out so far, to a round number; return it.

    Sequences are not rolled back with the test transaction, so the start is computed from what the
    sequences already handed out (earlier tests included). With tenant A's rows below the returned
    number and tenant B's from it, an id in a URL names B's row of *every* model at once, never A's.
    """
    tables = _pk_sequences()
    highest = 0
    with connection.cursor() as cursor:
        for table, column in tables:
            cursor.execute("SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s))", [table, column])
            row = cursor.fetchone()
            highest = max(highest, int(row[0] or 0) if row else 0)
        start = (highest // gap + 1) * gap
        for table, column in tables:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)", [table, column, start])
    return start


def _tracking_rows(*, tenant: Tenant, marker: str, jobs: list[Any], user: User) -> list[Model]:
    """A status event on every job (the portal's timeline, the staff job page)."""
    from tracking.models import EventCode, StatusEvent

    rows: list[Model] = []
    for job in jobs:
        link = {"booking": job} if isinstance(job, Booking) else {"warehouse_job": job}
        rows.append(
            StatusEvent.objects.create(
                tenant=tenant,
                code=EventCode.IN_TRANSIT,
                location=f"{marker} depot",
                comment=f"{marker} event comment",
                created_by=user,
                **link,
            )
        )
    return rows


def _portal_rows(*, tenant: Tenant, marker: str, jobs: list[Any], customer_user: User) -> list[Model]:
    """A customer note (unread by staff), a document and a tracking link on each job, and a failed
    outbox message."""
    from django.core.files.base import ContentFile

    from documents.models import Document
    from notes.models import Note
    from outbox.models import EmailStatus, OutboundEmail
    from tracking.models import TrackingLink

    rows: list[Model] = []
    for job in jobs:
        link = {"booking": job} if isinstance(job, Booking) else {"warehouse_job": job}
        document = Document(tenant=tenant, original_name=f"{marker} pod.pdf", content_type="application/pdf",
                            size=len(marker) + 9, **link)  # fmt: skip
        document.file.save("x", ContentFile(f"%PDF-1.4 {marker}".encode()), save=True)
        rows.append(document)
        rows.append(
            TrackingLink.objects.create(tenant=tenant, expires_at=timezone.now() + dt.timedelta(days=3), **link)
        )
        rows.append(
            Note.objects.create(
                tenant=tenant,
                author=customer_user,
                author_name=f"{marker} note author",
                from_customer=True,
                body=f"{marker} note body",
                **link,
            )
        )
    rows.append(
        OutboundEmail.objects.create(
            tenant=tenant,
            kind="notes/to_staff",
            to=[f"notes@{tenant.slug}.example"],
            subject=f"{marker} subject",
            body_text=f"{marker} text",
            body_html=f"<p>{marker} html</p>",
            status=EmailStatus.FAILED,
            last_error=f"{marker} smtp error",
        )
    )
    return rows


def world_build(*, slug: str, marker: str) -> World:
    """Create a tenant with a user per role and one of everything, all marked with ``marker``."""
    tenant = cast(Tenant, TenantFactory(name=f"{marker} Freight", slug=slug))
    users: dict[str, User] = {
        str(role): cast(
            User,
            UserFactory(tenant=tenant, role=role, email=f"{role}@{slug}.example", full_name=f"{marker} {role}"),
        )
        for role in (Role.ADMIN, Role.ACCOUNTS, Role.OPERATIONS)
    }
    customer: Any = CustomerFactory(
        tenant=tenant,
        name=f"{marker} Customer Pty Ltd",
        code=f"{slug[:10].upper()}-C1",
        email=f"ap@{slug}.example.com",
        billing_address=f"1 {marker} Street",
        invoicing_rule=InvoicingRule.CONSOLIDATED,
    )
    # The customer portal's user: sees this customer's jobs and invoices, and nothing else.
    users[str(Role.CUSTOMER)] = cast(
        User,
        UserFactory(
            tenant=tenant,
            role=Role.CUSTOMER,
            customer=customer,
            email=f"customer@{slug}.example",
            full_name=f"{marker} customer user",
        ),
    )
    objs: list[Model] = [tenant, *users.values(), *tenant.tax_codes.all(), customer]
    objs.append(
        UserChange.objects.create(
            tenant=tenant,
            user=users[str(Role.OPERATIONS)],
            changed_by=users[str(Role.ADMIN)],
            action=UserChangeAction.ROLE_CHANGED,
            old_value="accounts",
            new_value=f"{marker}"[:100],
        )
    )

    bookings: list[Any] = [
        BookingFactory(
            tenant=tenant,
            customer=customer,
            customer_reference=f"{marker}-PO-{i}",
            notes=f"{marker} booking notes",
            consignor_name=f"{marker} Consignor",
            status=status,
        )
        for i, status in enumerate((BookingStatus.INVOICED, BookingStatus.INVOICED, BookingStatus.COMPLETED))
    ]
    objs += bookings
    for booking in bookings:
        objs.append(
            BookingCharge.objects.create(
                job=booking,
                description=f"{marker} linehaul",
                quantity=Decimal("1"),
                unit_price=Decimal("100.00"),
                tax_code=tenant.default_tax_code,
            )
        )
    wjob: Any = WarehouseJobFactory(
        tenant=tenant,
        customer=customer,
        customer_reference=f"{marker}-WH-1",
        notes=f"{marker} warehouse notes",
        status=WarehouseJobStatus.COMPLETED,
    )
    objs.append(wjob)
    objs += _tracking_rows(tenant=tenant, marker=marker, jobs=[*bookings, wjob], user=users[str(Role.OPERATIONS)])
    objs += _portal_rows(
        tenant=tenant, marker=marker, jobs=[bookings[2], wjob], customer_user=users[str(Role.CUSTOMER)]
    )
    objs.append(
        WarehouseCharge.objects.create(
            job=wjob,
            description=f"{marker} storage",
            quantity=Decimal("4"),
            unit_price=Decimal("12.50"),
            tax_code=tenant.default_tax_code,
        )
    )

    invoices = []
    for n, (jobs, status) in enumerate(
        (([bookings[0]], InvoiceStatus.READY), ([bookings[1]], InvoiceStatus.EXPORT_FAILED)), start=1
    ):
        invoice = Invoice.objects.create(
            tenant=tenant,
            number=f"INV{n:06d}",
            customer=customer,
            due_date=timezone.localdate() + dt.timedelta(days=30),
            currency="AUD",
            status=status,
            subtotal=Decimal("100.00"),
            tax_total=Decimal("10.00"),
            total=Decimal("110.00"),
            is_consolidated=len(jobs) > 1,
            notes=f"{marker} invoice notes",
            export_error=f"{marker} export error" if status == InvoiceStatus.EXPORT_FAILED else "",
        )
        invoices.append(invoice)
        objs.append(invoice)
        for pos, job in enumerate(jobs):
            ij = InvoiceJob.objects.create(
                invoice=invoice,
                booking=job,
                position=pos,
                job_number=job.number,
                customer_reference=job.customer_reference,
            )
            line = InvoiceLine.objects.create(
                invoice=invoice,
                invoice_job=ij,
                description=f"{marker} line",
                quantity=Decimal("1"),
                unit_price=Decimal("100.00"),
                account_code="200",
                tax_code="GST",
                tax_rate=Decimal("10"),
                line_amount=Decimal("100.00"),
                tax_amount=Decimal("10.00"),
            )
            objs += [ij, line]

    admin = users[str(Role.ADMIN)]
    xero_tenant_id = str(uuid.uuid4())
    objs.append(
        XeroConnection.objects.create(
            tenant=tenant,
            xero_tenant_id=xero_tenant_id,
            xero_connection_id=str(uuid.uuid4()),
            organisation_name=f"{marker} Org",
            connected_by=admin,
            scopes="accounting.invoices",
            access_token_encrypted=secret_encrypt(f"{marker}-access-token"),
            refresh_token_encrypted=secret_encrypt(f"{marker}-refresh-token"),
            access_token_expires_at=timezone.now() + dt.timedelta(minutes=30),
        )
    )
    objs.append(XeroSettings.objects.create(tenant=tenant, send_customer_reference=True))
    objs.append(
        XeroSettingsChange.objects.create(
            tenant=tenant, changed_by=admin, field="send_customer_reference", old_value="False", new_value=marker
        )
    )
    cache = {
        "accounts": [{"code": "200", "name": f"{marker} Sales", "type": "REVENUE", "class": "REVENUE"}],
        "tax_rates": [{"tax_type": "OUTPUT", "name": f"{marker} GST", "rate": 10.0, "revenue": True}],
        "tracking_categories": [{"id": str(uuid.uuid4()), "name": f"{marker} Region", "options": [f"{marker} North"]}],
        "branding_themes": [{"id": str(uuid.uuid4()), "name": f"{marker} Theme"}],
    }
    for kind, rows in cache.items():
        objs.append(XeroOrgCache.objects.create(tenant=tenant, kind=kind, data=rows))
    objs.append(
        XeroPendingAuthorisation.objects.create(
            tenant=tenant,
            user=admin,
            state_hash=hashlib.sha256(f"{marker}-state".encode()).hexdigest(),
            session_key_hash=hashlib.sha256(marker.encode()).hexdigest(),
            code_verifier_encrypted=secret_encrypt(f"{marker}-verifier"),
            organisations=[{"id": str(uuid.uuid4()), "tenantId": xero_tenant_id, "tenantName": f"{marker} Org"}],
        )
    )
    objs.append(XeroRateLimitState.objects.create(xero_tenant_id=xero_tenant_id))
    objs.append(XeroPaymentSync.objects.create(tenant=tenant, modified_since=timezone.now()))
    objs.append(
        XeroWebhookEvent.objects.create(
            xero_tenant_id=xero_tenant_id, resource_id=str(uuid.uuid4()), event_type="UPDATE", event_date=timezone.now()
        )
    )
    run = ExportRun.objects.create(
        tenant=tenant,
        trigger=ExportTrigger.MANUAL,
        requested_by=admin,
        status=ExportRunStatus.FINISHED,
        total_count=1,
        failed_count=1,
        message=f"{marker} run message",
    )
    run.invoices.add(invoices[1])
    objs.append(run)
    objs.append(
        ExportAttempt.objects.create(
            run=run,
            invoice=invoices[1],
            idempotency_key=f"{slug}-key",
            outcome=AttemptOutcome.FAILED,
            request_payload={"Reference": marker},
            error=f"{marker} attempt error",
        )
    )
    objs.append(
        RaiseRun.objects.create(
            tenant=tenant,
            created_by=admin,
            status=RaiseRunStatus.FAILED,
            customer_ids=[customer.pk],
            jobs_total=1,
            error=f"{marker} raise run error",
        )
    )
    objs += _uploads_build(tenant=tenant, marker=marker, user=users[str(Role.OPERATIONS)], customer=customer)
    return World(tenant=tenant, marker=marker, users=users, objects=objs)


def _uploads_build(*, tenant: Tenant, marker: str, user: User, customer: Any) -> list[Model]:
    """A checked bulk upload (one good row, one bad) and a committed one that created a booking."""
    checked = Upload.objects.create(
        tenant=tenant, kind=UploadKind.BOOKING, status=UploadStatus.CHECKED, file_name=f"{marker}.csv",
        file_format="csv", sha256=hashlib.sha256(marker.encode()).hexdigest(), created_by=user,
        rows_total=2, rows_bad=1,
    )  # fmt: skip
    committed = Upload.objects.create(
        tenant=tenant, kind=UploadKind.BOOKING, status=UploadStatus.COMMITTED, file_name=f"{marker}-done.csv",
        file_format="csv", sha256=hashlib.sha256(marker.encode()).hexdigest(), created_by=user, committed_by=user,
        rows_total=1, rows_created=1, committed_at=timezone.now(),
    )  # fmt: skip
    booking = Booking.objects.filter(tenant=tenant).first()
    assert booking is not None
    rows = [
        UploadRow.objects.create(
            upload=checked, line=2, values={"customer": customer.code, "customer_reference": f"{marker}-UP-1"},
            parsed={"customer_reference": f"{marker}-UP-1", "charges": []}, customer=customer,
            reference=f"{marker}-UP-1",
        ),
        UploadRow.objects.create(
            upload=checked, line=3, values={"customer": f"{marker} nobody"},
            errors=[["customer", f"no customer has the code or exact name '{marker} nobody'."]],
        ),
        UploadRow.objects.create(
            upload=committed, line=2, values={"customer": customer.code}, customer=customer,
            reference=booking.customer_reference, job_id=booking.pk, job_number=booking.number,
        ),
    ]  # fmt: skip
    return [checked, committed, *rows]
