"""What bookings and warehouse jobs share: the job itself and its charge lines.

Abstract models only; ``bookings`` and ``warehouse`` make the concrete tables. Invoicing treats
both kinds through this interface (``number``, ``customer``, ``customer_reference``, ``charges``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from customers.models import Customer
from freighttracker.validators import (
    XERO_ACCOUNT_CODE_MAX,
    line_amount_check,
    quantity_validators,
    unit_price_validators,
    validate_multi_line,
    validate_single_line,
)
from tenancy.models import TaxCode, Tenant

COMPLETED = "completed"
INVOICED = "invoiced"
CANCELLED = "cancelled"
# Statuses after which a job is no longer "open" for the customer portal.
DONE_STATUSES = (COMPLETED, INVOICED, CANCELLED)


class Direction(models.TextChoices):
    """Whether the goods come in to or go out from the customer: the portal splits jobs by it."""

    IMPORT = "import", "Import"
    EXPORT = "export", "Export"


class Job(models.Model):
    """A piece of billable work for a customer."""

    NUMBER_PREFIX = "J"
    SEQUENCE_NAME = "job"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    customer_reference = models.CharField(
        max_length=255,  # Xero Reference: 255
        blank=True,
        validators=[validate_single_line],
        help_text="The customer's own PO or job number. May be blank.",
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.EXPORT)
    container_number = models.CharField(
        "container / consignment number",
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text="Searchable in the customer portal.",
    )
    notes = models.TextField(blank=True, validators=[validate_multi_line])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def is_invoiceable(self) -> bool:
        return self.status == COMPLETED  # type: ignore[attr-defined, no-any-return]

    @property
    def kind_label(self) -> str:
        return str(self._meta.verbose_name)


class ChargeLine(models.Model):
    """One priced line on a job; becomes one invoice line."""

    description = models.CharField(max_length=500, validators=[validate_single_line])
    quantity = models.DecimalField(
        max_digits=12, decimal_places=3, default=Decimal("1"), validators=quantity_validators
    )
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, validators=unit_price_validators)
    account_code = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_single_line, MaxLengthValidator(XERO_ACCOUNT_CODE_MAX)],
        help_text="Blank: the company's default sales account.",
    )
    tax_code = models.ForeignKey(TaxCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        try:
            line_amount_check(quantity=self.quantity, unit_price=self.unit_price)
        except ValidationError as exc:
            raise ValidationError({"unit_price": exc}) from exc

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))
