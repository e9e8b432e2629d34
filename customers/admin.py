from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "tenant", "invoicing_rule", "send_reference", "xero_contact_id")
    list_filter = ("tenant", "invoicing_rule")
    search_fields = ("name", "code")
