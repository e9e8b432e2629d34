from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tenancy.models import Sequence, TaxCode, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "base_currency", "price_entry")
    search_fields = ("name", "slug")


@admin.register(TaxCode)
class TaxCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rate", "tenant")
    list_filter = ("tenant",)


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ("tenant", "name", "last_value")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "tenant", "role", "is_active")
    list_filter = ("tenant", "role", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Tenant", {"fields": ("full_name", "tenant", "role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "tenant", "role", "password1", "password2")}),)
