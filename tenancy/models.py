"""Tenants (freight companies), their users and roles, tax codes and number sequences."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_timezone


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Australia/Sydney).")


class Tenant(models.Model):
    """A freight company using the product. Every business row belongs to exactly one tenant."""

    class PriceEntry(models.TextChoices):
        EXCLUSIVE = "exclusive", "Prices exclude tax"
        INCLUSIVE = "inclusive", "Prices include tax"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    base_currency = models.CharField(max_length=3, default="AUD")
    price_entry = models.CharField(
        max_length=10,
        choices=PriceEntry.choices,
        default=PriceEntry.EXCLUSIVE,
        help_text="Whether charge unit prices are entered with or without tax.",
    )
    default_tax_code = models.ForeignKey(
        "tenancy.TaxCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_account_code = models.CharField(max_length=20, default="200")
    notes_email = models.EmailField(
        "notes e-mail address",
        blank=True,
        help_text="Where a customer's note from the portal is e-mailed. Blank: the company's admins.",
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return self.name


class TaxCode(models.Model):
    """One of the tenant's own tax codes (e.g. GST 10%); mapped to a Xero TaxType in Xero settings."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tax_codes")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percent, e.g. 10.000")

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="taxcode_unique_per_tenant")]

    def __str__(self) -> str:
        rate = self.rate.to_integral() if self.rate == self.rate.to_integral() else self.rate.normalize()
        return f"{self.code} ({rate}%)"

    @property
    def fraction(self) -> Decimal:
        return self.rate / Decimal(100)


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    ACCOUNTS = "accounts", "Accounts"
    OPERATIONS = "operations", "Operations"
    # A person at one of the tenant's customers: sees the customer portal only (see ``portal``).
    CUSTOMER = "customer", "Customer (portal)"


#: The company's own staff roles: the ones Settings → Users offers. Every role is listed in ``Role``
#: only; other people (a customer portal's users) get roles outside this tuple.
STAFF_ROLES: tuple[Role, ...] = (Role.ADMIN, Role.ACCOUNTS, Role.OPERATIONS)
ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.ADMIN: "everything, including Settings and Users",
    Role.ACCOUNTS: "jobs, customers, invoices, Ready to Export and export history",
    Role.OPERATIONS: "customers, bookings and warehouse jobs; no invoices",
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Belongs to one tenant with one role; superusers may have none."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="users")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OPERATIONS)
    # Set exactly when role is "customer": the one customer of the tenant whose portal this user sees.
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="portal_users"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="customer") & models.Q(customer__isnull=False))
                | (~models.Q(role="customer") & models.Q(customer__isnull=True)),
                name="user_customer_iff_customer_role",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_customer_user(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_tenant_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_see_invoices(self) -> bool:
        return self.role in (Role.ADMIN, Role.ACCOUNTS)


class Sequence(models.Model):
    """Per-tenant counters behind booking, warehouse job and invoice numbers."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    name = models.CharField(max_length=30)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="sequence_unique_per_tenant")]

    def __str__(self) -> str:
        return f"{self.name} = {self.last_value}"


class UserChangeAction(models.TextChoices):
    INVITED = "invited", "Invited"
    INVITE_RESENT = "invite_resent", "Invitation sent again"
    ROLE_CHANGED = "role_changed", "Role changed"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"


class UserChange(models.Model):
    """Audit trail of Settings → Users: who invited, changed or deactivated whom, and when."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=dj_timezone.now)
    action = models.CharField(max_length=20, choices=UserChangeAction.choices)
    old_value = models.CharField(max_length=100, blank=True)
    new_value = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.user_id}"

    @staticmethod
    def _label(value: str) -> str:
        return str(Role(value).label) if value in Role.values else value

    @property
    def old_label(self) -> str:
        return self._label(self.old_value)

    @property
    def new_label(self) -> str:
        return self._label(self.new_value)
