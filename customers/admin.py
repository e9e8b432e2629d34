from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "tenant", "invoicing_rule", "send_reference", "xero_contact_id")
    list_filter = ("tenant", "invoicing_rule")
    search_fields = ("name", "code", "email")
    list_select_related = ("tenant",)
    # Written only by the Xero contact sync; shown so support can see what a customer is linked to.
    readonly_fields = ("xero_contact_id", "created_at")
