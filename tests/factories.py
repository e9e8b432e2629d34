"""factory_boy factories shared by every test folder."""

from __future__ import annotations

from decimal import Decimal

import factory

from bookings.models import Booking, BookingCharge, BookingStatus
from customers.models import Customer
from tenancy.models import Role, TaxCode, Tenant, User
from tenancy.services import number_format, sequence_next
from warehouse.models import WarehouseCharge, WarehouseJob, WarehouseJobStatus


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Carrier {n}")
    slug = factory.Sequence(lambda n: f"carrier-{n}")
    timezone = "Australia/Sydney"
    base_currency = "AUD"

    @factory.post_generation
    def tax(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        gst, _ = TaxCode.objects.get_or_create(
            tenant=self, code="GST", defaults={"name": "GST 10%", "rate": Decimal("10")}
        )
        TaxCode.objects.get_or_create(tenant=self, code="FRE", defaults={"name": "GST free", "rate": Decimal("0")})
        if self.default_tax_code_id is None:
            self.default_tax_code = gst
            self.save(update_fields=["default_tax_code"])


class UserFactory(factory.django.DjangoModelFactory):
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


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Customer {n} Pty Ltd")
    code = factory.Sequence(lambda n: f"C{n:05d}")
    email = factory.LazyAttribute(lambda o: f"ap@{o.code.lower()}.example.com")
    currency = "AUD"


class _JobFactory(factory.django.DjangoModelFactory):
    tenant = factory.SubFactory(TenantFactory)
    customer = factory.SubFactory(CustomerFactory, tenant=factory.SelfAttribute("..tenant"))
    customer_reference = factory.Sequence(lambda n: f"PO-{n:05d}")

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
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


class BookingChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingCharge

    job = factory.SubFactory(BookingFactory)
    description = "Linehaul"
    quantity = Decimal("1")
    unit_price = Decimal("100.00")
    tax_code = factory.LazyAttribute(lambda o: o.job.tenant.default_tax_code)


class WarehouseChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarehouseCharge

    job = factory.SubFactory(WarehouseJobFactory)
    description = "Storage per pallet week"
    quantity = Decimal("4")
    unit_price = Decimal("12.50")
    tax_code = factory.LazyAttribute(lambda o: o.job.tenant.default_tax_code)
