"""Xero connection, settings and export records of a tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from invoicing.models import Invoice
from tenancy.models import Tenant


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Connected"
    NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"


class XeroConnection(models.Model):
    """The tenant's link to one Xero organisation. Tokens are Fernet-encrypted (see crypto.py)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="xero_connection")
    xero_tenant_id = models.CharField(max_length=36)
    xero_connection_id = models.CharField(max_length=36, blank=True, help_text="Id for DELETE /connections/{id}.")
    organisation_name = models.CharField(max_length=255)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    connected_at = models.DateTimeField(default=timezone.now)
    scopes = models.TextField(blank=True)
    access_token_encrypted = models.TextField()
    refresh_token_encrypted = models.TextField()
    access_token_expires_at = models.DateTimeField()
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)
    status_detail = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.tenant} → {self.organisation_name}"

    @property
    def is_usable(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE


class ReferenceRule(models.TextChoices):
    ALL_REFERENCES = "all", "All references on the invoice"
    PER_LINE = "per_line", "Reference at the start of each line"
    BOTH = "both", "Both"


class XeroInvoiceStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    AUTHORISED = "AUTHORISED", "Approved (AUTHORISED)"


class LineAmountType(models.TextChoices):
    FROM_INVOICE = "", "As priced on the invoice"
    EXCLUSIVE = "Exclusive", "Tax exclusive"
    INCLUSIVE = "Inclusive", "Tax inclusive"
    NO_TAX = "NoTax", "No tax"


class XeroSettings(models.Model):
    """How this tenant's invoices are shaped for Xero. Every change is audited."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="xero_settings")
    send_customer_reference = models.BooleanField(default=False)
    reference_rule = models.CharField(max_length=10, choices=ReferenceRule.choices, default=ReferenceRule.BOTH)
    default_account_code = models.CharField(max_length=20, blank=True)
    tax_type_map = models.JSONField(default=dict, blank=True, help_text="Our tax code → Xero TaxType.")
    tracking = models.JSONField(default=list, blank=True, help_text='Up to two {"name": …, "option": …}.')
    branding_theme_id = models.CharField(max_length=36, blank=True)
    invoice_status = models.CharField(max_length=12, choices=XeroInvoiceStatus.choices, default=XeroInvoiceStatus.DRAFT)
    line_amount_type = models.CharField(max_length=10, choices=LineAmountType.choices, blank=True, default="")
    nightly_export_enabled = models.BooleanField(default=False)
    nightly_export_time = models.TimeField(default=dt.time(2, 0))

    def __str__(self) -> str:
        return f"Xero settings of {self.tenant}"


class XeroSettingsChange(models.Model):
    """Audit trail: who changed which Xero setting, when, from what to what."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=100)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class XeroOrgCache(models.Model):
    """Choices read from the connected organisation (Accounts, TaxRates, …), cached."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=list)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind"], name="xero_org_cache_unique")]

    def __str__(self) -> str:
        return f"{self.kind} of tenant {self.tenant_id}"


class ExportTrigger(models.TextChoices):
    MANUAL = "manual", "Export button"
    NIGHTLY = "nightly", "Nightly schedule"
    COMMAND = "command", "Command line"
    RECOVERY = "recovery", "Recovery"


class ExportRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DEFERRED = "deferred", "Deferred (Xero limit)"
    FINISHED = "finished", "Finished"
    BLOCKED = "blocked", "Blocked (reconnect Xero)"


class ExportRun(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trigger = models.CharField(max_length=10, choices=ExportTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ExportRunStatus.choices, default=ExportRunStatus.QUEUED)
    invoices = models.ManyToManyField(Invoice, related_name="export_runs", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deferred_until = models.DateTimeField(null=True, blank=True)
    total_count = models.PositiveIntegerField(default=0)
    exported_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    # The run's own outbox: when its next step is due. A step sets it to "now + lease" while it
    # works and to "now + countdown" when it hands over; a run whose next step is overdue (its task
    # was lost with a broker outage or a killed worker) is re-published by the periodic recovery.
    next_step_at = models.DateTimeField(null=True, blank=True)
    # Sequence number of the run's current step message; a message carrying an older number is a
    # duplicate (re-published by recovery, or restored by the broker) and is dropped.
    step_seq = models.PositiveIntegerField(default=0)
    # Set when a step could not be queued because the broker was unreachable; cleared by the next step.
    queue_unreachable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(
                fields=["next_step_at"],
                name="xero_exportrun_open_due",
                condition=models.Q(status__in=["queued", "running", "deferred"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.public_id} ({self.trigger}, {self.status})"

    @property
    def outcome_key(self) -> str:
        """The badge's colour: a finished run is only green when nothing failed."""
        if self.status == ExportRunStatus.FINISHED and self.failed_count:
            return "failed" if not self.exported_count else "finished_with_failures"
        return str(self.status)

    @property
    def outcome_label(self) -> str:
        """ "Failed" when every invoice failed, "Finished with failures" when some did."""
        return {"failed": "Failed", "finished_with_failures": "Finished with failures"}.get(
            self.outcome_key, self.get_status_display()
        )


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", "Sent, no answer yet"
    EXPORTED = "exported", "Exported"
    FAILED = "failed", "Rejected by Xero"
    RETRY = "retry", "Will retry"
    UNKNOWN = "unknown", "Outcome unknown"
    ADOPTED = "adopted", "Found in Xero"


class ExportAttempt(models.Model):
    """One invoice in one request to Xero. Written before the call, completed after it."""

    run = models.ForeignKey(ExportRun, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="export_attempts")
    idempotency_key = models.CharField(max_length=128)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING)
    request_payload = models.JSONField(default=dict)
    response_payload = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["invoice", "-started_at"])]

    def __str__(self) -> str:
        return f"Attempt on invoice {self.invoice_id}: {self.outcome}"


class XeroPendingAuthorisation(models.Model):
    """One Connect attempt: the state, the PKCE verifier and — while the admin picks an organisation —
    the tokens Xero gave. Bound to the tenant, the user and their session; lives 10 minutes; used once.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the state sent to Xero.")
    session_key_hash = models.CharField(max_length=64)
    code_verifier_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True, help_text="Set when the callback consumed the state.")
    tokens_encrypted = models.TextField(blank=True, help_text="Encrypted JSON token set, while choosing.")
    organisations = models.JSONField(default=list, blank=True, help_text="[{id, tenantId, tenantName}] to choose.")

    def __str__(self) -> str:
        return f"Xero authorisation for {self.tenant} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"


class XeroRateLimitState(models.Model):
    """PostgreSQL fallback of the per-organisation rate limiter (used when there is no Redis).

    One row per Xero organisation, updated under a row lock: the timestamps of the calls of the
    last minute, the in-flight calls with their lease expiry, and a block set by a 429.
    See ``integrations/xero/export/limiter.py``.
    """

    xero_tenant_id = models.CharField(max_length=36, unique=True)
    calls = models.JSONField(default=list, help_text="Epoch seconds of the calls in the sliding minute.")
    inflight = models.JSONField(default=dict, help_text="Call token → lease expiry (epoch seconds).")
    blocked_until = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"Rate limit state of {self.xero_tenant_id}"


class XeroWebhookEvent(models.Model):
    """An INVOICE event Xero sent, recorded by the webhook endpoint and nothing more.

    A worker re-reads the invoice's current state (INVOICE events carry no data), so the order of
    events does not matter, and the unique constraint turns a repeated delivery into nothing.
    """

    xero_tenant_id = models.CharField(max_length=36)
    resource_id = models.CharField(max_length=36)
    event_type = models.CharField(max_length=10)
    event_date = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["xero_tenant_id", "resource_id", "event_type", "event_date"], name="xero_webhook_event_once"
            )
        ]
        indexes = [models.Index(fields=["processed_at", "xero_tenant_id"], name="xero_webhook_pending_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.resource_id} ({self.xero_tenant_id})"


class XeroPaymentSync(models.Model):
    """Where incremental polling of a tenant's invoices (If-Modified-Since) stands."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="xero_payment_sync")
    modified_since = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_calls = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"payment sync of tenant {self.tenant_id}"
