from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jobs.services import job_number_next
from warehouse.models import WarehouseCharge, WarehouseJob


class WarehouseChargeInline(admin.TabularInline):
    model = WarehouseCharge
    extra = 0
    fields = ("position", "description", "quantity", "unit_price", "account_code", "tax_code")


@admin.register(WarehouseJob)
class WarehouseJobAdmin(admin.ModelAdmin):
    list_display = ("number", "tenant", "customer", "customer_reference", "kind", "status", "start_date", "end_date")
    list_filter = ("tenant", "kind", "status")
    search_fields = ("number", "customer_reference", "customer__name", "customer__code")
    list_select_related = ("tenant", "customer")
    readonly_fields = ("number",)
    raw_id_fields = ("customer",)
    inlines = [WarehouseChargeInline]

    def save_model(self, request: HttpRequest, obj: WarehouseJob, form: Any, change: bool) -> None:
        # The admin view runs in a transaction, so the number is given back on failure.
        if not obj.number:
            obj.number = job_number_next(tenant=obj.tenant, model=WarehouseJob)
        super().save_model(request, obj, form, change)
