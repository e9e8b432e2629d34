"""Writes for customers (the tenant's debtors)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer
from tenancy.models import Tenant

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "code",
        "email",
        "billing_address",
        "payment_terms_days",
        "currency",
        "invoicing_rule",
        "consolidation_schedule",
        "send_reference",
    }
)


def _code_taken_error(code: str) -> ValidationError:
    return ValidationError({"code": f"Another customer already uses the code {code!r}."})


def customer_code_taken(*, tenant: Tenant, code: str, exclude_pk: int | None = None) -> bool:
    qs = Customer.objects.filter(tenant=tenant, code__iexact=code.strip())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _save(customer: Customer) -> Customer:
    customer.code = customer.code.strip()
    customer.currency = customer.currency.upper()
    if customer_code_taken(tenant=customer.tenant, code=customer.code, exclude_pk=customer.pk):
        raise _code_taken_error(customer.code)
    customer.full_clean(exclude=["tenant"])
    try:
        # A savepoint, so a lost race on the unique constraint leaves the outer transaction usable.
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:
        if "customer_code_unique_per_tenant" in str(exc):
            raise _code_taken_error(customer.code) from exc
        raise
    return customer


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable customer fields: {sorted(unknown)}")


def customer_create(*, tenant: Tenant, name: str, code: str, **fields: Any) -> Customer:
    """Create a customer; a code already used in this tenant is a validation error on ``code``."""
    _check_fields(fields)
    return _save(Customer(tenant=tenant, name=name, code=code, **fields))


def customer_update(*, customer: Customer, **fields: Any) -> Customer:
    _check_fields(fields)
    for name, value in fields.items():
        setattr(customer, name, value)
    return _save(customer)
