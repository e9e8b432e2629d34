"""Django admin for support staff: the connection without its (encrypted) tokens, settings, audit trail."""

from __future__ import annotations

from django.contrib import admin

from integrations.xero.models import XeroConnection, XeroSettings, XeroSettingsChange


@admin.register(XeroConnection)
class XeroConnectionAdmin(admin.ModelAdmin):
    list_display = ("tenant", "organisation_name", "status", "access_token_expires_at", "last_refreshed_at")
    list_filter = ("status",)
    # Tokens never appear in the admin, not even encrypted; changes go through the OAuth flow.
    exclude = ("access_token_encrypted", "refresh_token_encrypted")
    readonly_fields = (
        "tenant",
        "xero_tenant_id",
        "xero_connection_id",
        "organisation_name",
        "connected_by",
        "connected_at",
        "scopes",
        "access_token_expires_at",
        "last_refreshed_at",
        "status",
        "status_detail",
    )

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(XeroSettings)
class XeroSettingsAdmin(admin.ModelAdmin):
    list_display = ("tenant", "send_customer_reference", "reference_rule", "invoice_status", "nightly_export_enabled")
    # Edits belong on the settings page, where they are audited.
    readonly_fields = tuple(f.name for f in XeroSettings._meta.fields)

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(XeroSettingsChange)
class XeroSettingsChangeAdmin(admin.ModelAdmin):
    list_display = ("tenant", "changed_at", "changed_by", "field", "old_value", "new_value")
    list_filter = ("field",)
    readonly_fields = ("tenant", "changed_by", "changed_at", "field", "old_value", "new_value")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
