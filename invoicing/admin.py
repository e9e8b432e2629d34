from django.contrib import admin

from invoicing.models import Invoice, InvoiceJob, InvoiceLine


class InvoiceJobInline(admin.TabularInline):
    model = InvoiceJob
    extra = 0
    # The links are what the "invoiced once" constraints guard; change them through the services.
    fields = ("position", "job_number", "customer_reference", "booking", "warehouse_job", "active")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = (
        "position",
        "invoice_job",
        "description",
        "quantity",
        "unit_price",
        "account_code",
        "tax_code",
        "tax_rate",
        "line_amount",
        "tax_amount",
    )
    readonly_fields = ("invoice_job", "line_amount", "tax_amount")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "tenant", "customer", "date", "status", "total", "currency", "is_consolidated")
    list_filter = ("tenant", "status", "is_consolidated")
    search_fields = ("number", "customer__name", "customer__code", "invoice_jobs__customer_reference")
    list_select_related = ("tenant", "customer")
    raw_id_fields = ("customer",)
    readonly_fields = (
        "public_id",
        "number",
        "subtotal",
        "tax_total",
        "total",
        "xero_invoice_id",
        "exported_at",
        "exporting_since",
        "created_at",
        "updated_at",
    )
    inlines = [InvoiceJobInline, InvoiceLineInline]


@admin.register(InvoiceJob)
class InvoiceJobAdmin(admin.ModelAdmin):
    list_display = ("job_number", "customer_reference", "invoice", "active")
    list_filter = ("active",)
    search_fields = ("job_number", "customer_reference", "invoice__number")
    raw_id_fields = ("invoice", "booking", "warehouse_job")


@admin.register(InvoiceLine)
class InvoiceLineAdmin(admin.ModelAdmin):
    list_display = ("description", "invoice", "quantity", "unit_price", "line_amount", "tax_amount")
    search_fields = ("description", "invoice__number")
    raw_id_fields = ("invoice", "invoice_job")
