"""Invoices raised from completed jobs, and the link that makes a job invoiceable only once."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking
from customers.models import Customer
from freighttracker.validators import (
    XERO_ACCOUNT_CODE_MAX,
    date_order_check,
    quantity_validators,
    unit_price_validators,
    validate_date_window,
    validate_multi_line,
    validate_single_line,
)
from tenancy.models import Tenant
from warehouse.models import WarehouseJob


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready to export"
    EXPORTING = "exporting", "Exporting"
    EXPORTED = "exported", "Exported"
    EXPORT_FAILED = "export_failed", "Export failed"
    VOID = "void", "Void"


# Editing rules, in one place (see invoicing.services.invoice_assert_editable):
#  - DRAFT and EXPORT_FAILED invoices may be edited (lines, dates, notes).
#  - READY may be edited too; it stays on the Ready to Export list.
#  - EXPORTING, EXPORTED and VOID are frozen: an exported invoice is changed in Xero, not here.
EDITABLE_STATUSES = frozenset({InvoiceStatus.DRAFT, InvoiceStatus.READY, InvoiceStatus.EXPORT_FAILED})
EXPORTABLE_STATUSES = frozenset({InvoiceStatus.READY, InvoiceStatus.EXPORT_FAILED})


class PaymentStatus(models.TextChoices):
    """What Xero says about an exported invoice's money (see ``invoicing.payment_status``).

    "Overdue" is not stored: it depends on today, so it is derived from the due date when shown or filtered.
    """

    AWAITING = "awaiting", "Awaiting payment"
    PART_PAID = "part_paid", "Part paid"
    PAID = "paid", "Paid"
    VOIDED = "voided", "Voided in Xero"
    DRAFT = "draft", "Draft in Xero"
    DELETED = "deleted", "Deleted in Xero"


UNPAID_PAYMENT_STATUSES = frozenset({PaymentStatus.AWAITING, PaymentStatus.PART_PAID})


class AmountsAre(models.TextChoices):
    EXCLUSIVE = "exclusive", "Tax exclusive"
    INCLUSIVE = "inclusive", "Tax inclusive"


class Invoice(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invoices")
    # Unguessable id for URLs and the Url back-link sent to Xero.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=30, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    date = models.DateField(default=timezone.localdate, validators=[validate_date_window])
    due_date = models.DateField(validators=[validate_date_window])
    currency = models.CharField(max_length=3)
    amounts_are = models.CharField(max_length=10, choices=AmountsAre.choices, default=AmountsAre.EXCLUSIVE)
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    is_consolidated = models.BooleanField(default=False)
    notes = models.TextField(blank=True, validators=[validate_multi_line])

    # Export bookkeeping, written only by the export engine.
    xero_invoice_id = models.CharField(max_length=36, blank=True, default="")
    exported_at = models.DateTimeField(null=True, blank=True)
    export_error = models.TextField(blank=True, default="")
    exporting_since = models.DateTimeField(null=True, blank=True)
    export_note = models.TextField(blank=True, default="", help_text="Why an admin marked it exported by hand.")

    # Payment state read back from Xero, written only by invoicing.payment_status.
    payment_status = models.CharField(max_length=12, choices=PaymentStatus.choices, blank=True, default="")
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount_credited = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount_due = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    fully_paid_on = models.DateField(null=True, blank=True)
    # Xero's UpdatedDateUTC of the state held: an older state (late or repeated event) never overwrites it.
    payment_state_at = models.DateTimeField(null=True, blank=True)
    payment_synced_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="invoice_number_unique_per_tenant")]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            # The export's periodic recovery looks for claims past their lease every 30 s: with this
            # partial index that costs next to nothing while nothing is exporting.
            models.Index(
                fields=["exporting_since"], name="invoice_exporting_since", condition=models.Q(status="exporting")
            ),
            models.Index(fields=["tenant", "payment_status", "due_date"], name="invoice_payment_idx"),
            models.Index(fields=["tenant", "xero_invoice_id"], name="invoice_xero_id_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Unpaid in Xero and past its due date (today in the active, i.e. the tenant's, time zone)."""
        return self.payment_status in UNPAID_PAYMENT_STATUSES and self.due_date < timezone.localdate()

    @property
    def payment_status_label(self) -> str:
        if self.is_overdue:
            return "Overdue" if self.payment_status == PaymentStatus.AWAITING else "Part paid, overdue"
        return self.get_payment_status_display() if self.payment_status else ""

    def clean(self) -> None:
        date_order_check(
            first=self.date,
            then=self.due_date,
            field="due_date",
            message="The due date cannot be before the invoice date.",
        )


class InvoiceJob(models.Model):
    """The job(s) an invoice covers, in job order.

    The partial unique constraints make the database itself refuse to invoice a job twice;
    voiding an invoice releases its jobs (``active`` becomes false) so they can be invoiced again.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="invoice_jobs")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warehouse_job = models.ForeignKey(WarehouseJob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    job_number = models.CharField(max_length=20)
    customer_reference = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False, warehouse_job__isnull=True)
                | Q(booking__isnull=True, warehouse_job__isnull=False),
                name="invoicejob_exactly_one_job",
            ),
            models.UniqueConstraint(fields=["booking"], condition=Q(active=True), name="booking_invoiced_once"),
            models.UniqueConstraint(
                fields=["warehouse_job"], condition=Q(active=True), name="warehousejob_invoiced_once"
            ),
        ]

    def __str__(self) -> str:
        return self.job_number

    @property
    def job(self) -> Booking | WarehouseJob:
        return self.booking or self.warehouse_job  # type: ignore[return-value]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    invoice_job = models.ForeignKey(InvoiceJob, null=True, blank=True, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=500, validators=[validate_single_line])
    quantity = models.DecimalField(max_digits=12, decimal_places=3, validators=quantity_validators)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, validators=unit_price_validators)
    account_code = models.CharField(
        max_length=20,
        blank=True,
        help_text="Blank: the Default sales account of the accounting settings, at export.",
        validators=[validate_single_line, MaxLengthValidator(XERO_ACCOUNT_CODE_MAX)],
    )
    tax_code = models.CharField(max_length=20, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("0"))
    line_amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Quantity × unit price, as entered.")  # noqa: RUF001
    tax_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class RaiseRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Raising"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RaiseRun(models.Model):
    """A large raise (thousands of jobs) run in the background, with its progress for the page.

    The selection is stored as ids (``everything``, or customers and jobs); a worker raises it in
    chunks, each its own short transaction (``invoicing.raising``).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="raise_runs")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey("tenancy.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=RaiseRunStatus.choices, default=RaiseRunStatus.QUEUED)
    mark_ready = models.BooleanField(default=True)
    everything = models.BooleanField(default=False, help_text="Every completed job of the tenant.")
    customer_ids = models.JSONField(default=list, blank=True)
    booking_ids = models.JSONField(default=list, blank=True)
    warehouse_ids = models.JSONField(default=list, blank=True)
    jobs_total = models.PositiveIntegerField(default=0)
    jobs_done = models.PositiveIntegerField(default=0, help_text="Jobs looked at so far (raised or skipped).")
    jobs_invoiced = models.PositiveIntegerField(default=0)
    invoices_raised = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"raise run {self.public_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RaiseRunStatus.DONE, RaiseRunStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.jobs_done / self.jobs_total) if self.jobs_total else 0
