"""Customers: the tenant's debtors, who book jobs and receive invoices."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper

from freighttracker.validators import payment_terms_validators, validate_multi_line, validate_single_line
from tenancy.models import Tenant


class InvoicingRule(models.TextChoices):
    PER_JOB = "per_job", "One invoice per job"
    CONSOLIDATED = "consolidated", "One consolidated invoice for all completed jobs"


class ConsolidationSchedule(models.TextChoices):
    ON_DEMAND = "on_demand", "On demand"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class ReferenceOverride(models.TextChoices):
    INHERIT = "inherit", "Inherit the Xero setting"
    ALWAYS = "always", "Always send"
    NEVER = "never", "Never send"


class Customer(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=255, validators=[validate_single_line])  # Xero Contact Name: 255
    code = models.CharField(
        "customer code",
        max_length=50,  # Xero ContactNumber: 50
        validators=[validate_single_line],
        help_text="Unique within your company; sent to Xero as ContactNumber.",
    )
    email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True, validators=[validate_multi_line])
    payment_terms_days = models.PositiveSmallIntegerField(default=30, validators=payment_terms_validators)
    currency = models.CharField(max_length=3, default="AUD")
    invoicing_rule = models.CharField(max_length=20, choices=InvoicingRule.choices, default=InvoicingRule.PER_JOB)
    consolidation_schedule = models.CharField(
        max_length=20, choices=ConsolidationSchedule.choices, default=ConsolidationSchedule.ON_DEMAND
    )
    send_reference = models.CharField(
        "send customer reference",
        max_length=10,
        choices=ReferenceOverride.choices,
        default=ReferenceOverride.INHERIT,
    )
    xero_contact_id = models.CharField(max_length=36, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="customer_code_unique_per_tenant")]
        indexes = [
            models.Index(fields=["tenant", "name"]),
            # Substring search of the customer autocomplete and the job search (pg_trgm).
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_trgm"),
            GinIndex(OpClass(Upper("code"), name="gin_trgm_ops"), name="customer_code_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
