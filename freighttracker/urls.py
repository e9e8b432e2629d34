"""Root URLconf. Each app owns its own ``urls.py``; the Xero integration lives under Settings."""

from django.contrib import admin
from django.urls import include, path

from integrations.xero.webhooks import xero_webhook

urlpatterns = [
    path("", include("tenancy.urls")),
    path("customers/", include("customers.urls")),
    path("bookings/", include("bookings.urls")),
    path("warehouse/", include("warehouse.urls")),
    path("uploads/", include("uploads.urls")),
    path("invoicing/export/", include("integrations.xero.export.urls")),
    path("invoicing/", include("invoicing.urls")),
    path("settings/integration/authentication/xero/", include("integrations.xero.urls")),
    path("integrations/xero/webhooks/", xero_webhook, name="xero_webhook"),
    path("tracking/", include("tracking.urls")),
    path("portal/", include("portal.urls")),
    path("portal-users/", include("portal.staff_urls")),
    path("notes/", include("notes.urls")),
    path("outbox/", include("outbox.urls")),
    path("documents/", include("documents.urls")),
    path("t/", include("tracking.public_urls")),
    path("admin/", admin.site.urls),
]
