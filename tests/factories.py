"""factory_boy factories shared by every test folder."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from bookings.models import Booking, BookingCharge, BookingStatus
from customers.models import Customer
from tenancy.models import Role, TaxCode, Tenant, User
from tenancy.services import number_format, sequence_next
from warehouse.models import WarehouseCharge, WarehouseJob, WarehouseJobStatus


def _tenant_tax_codes(tenant: Tenant, create: bool) -> None:
    """Every test tenant gets GST 10% (its default) and GST-free, like a real Australian carrier."""
    if not create:
        return
    gst, _ = TaxCode.objects.get_or_create(
        tenant=tenant, code="GST", defaults={"name": "GST 10%", "rate": Decimal("10")}
    )
    TaxCode.objects.get_or_create(tenant=tenant, code="FRE", defaults={"name": "GST free", "rate": Decimal("0")})
    if tenant.default_tax_code_id is None:
        tenant.default_tax_code = gst
        tenant.save(update_fields=["default_tax_code"])


class TenantFactory(factory.django.DjangoModelFactory[Tenant]):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True  # the tax-code hook saves what it changes

    name = factory.Sequence(lambda n: f"Carrier {n}")
    slug = factory.Sequence(lambda n: f"carrier-{n}")
    timezone = "Australia/Sydney"
    base_currency = "AUD"

    tax = factory.PostGeneration(lambda tenant, create, extracted, **kw: _tenant_tax_codes(tenant, create))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    tenant = factory.SubFactory(TenantFactory)
    role = Role.OPERATIONS
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: object = None) -> None:
        if create:
            instance.save()


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Customer {n} Pty Ltd")
    code = factory.Sequence(lambda n: f"C{n:05d}")
    email = factory.LazyAttribute(lambda o: f"ap@{o.code.lower()}.example.com")
    currency = "AUD"


class _JobFactory(factory.django.DjangoModelFactory[Any]):
    tenant = factory.SubFactory(TenantFactory)
    customer = factory.SubFactory(CustomerFactory, tenant=factory.SelfAttribute("..tenant"))
    customer_reference = factory.Sequence(lambda n: f"PO-{n:05d}")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("number"):
            tenant = kwargs["tenant"]
            kwargs["number"] = number_format(
                prefix=model_class.NUMBER_PREFIX, value=sequence_next(tenant=tenant, name=model_class.SEQUENCE_NAME)
            )
        return super()._create(model_class, *args, **kwargs)


class BookingFactory(_JobFactory):
    class Meta:
        model = Booking

    status = BookingStatus.COMPLETED
    consignor_name = "Acme Exports"
    consignee_name = "Harbour Imports"


class WarehouseJobFactory(_JobFactory):
    class Meta:
        model = WarehouseJob

    status = WarehouseJobStatus.COMPLETED


class BookingChargeFactory(factory.django.DjangoModelFactory[BookingCharge]):
    class Meta:
        model = BookingCharge

    job = factory.SubFactory(BookingFactory)
    description = "Linehaul"
    quantity = Decimal("1")
    unit_price = Decimal("100.00")
    tax_code = factory.LazyAttribute(lambda o: o.job.tenant.default_tax_code)


class WarehouseChargeFactory(factory.django.DjangoModelFactory[WarehouseCharge]):
    class Meta:
        model = WarehouseCharge

    job = factory.SubFactory(WarehouseJobFactory)
    description = "Storage per pallet week"
    quantity = Decimal("4")
    unit_price = Decimal("12.50")
    tax_code = factory.LazyAttribute(lambda o: o.job.tenant.default_tax_code)
