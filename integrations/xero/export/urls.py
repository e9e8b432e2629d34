"""Export engine pages, mounted at /invoicing/export/ (namespace ``xero_export``)."""

from django.urls import URLPattern, URLResolver, path

from integrations.xero.export import views

app_name = "xero_export"
urlpatterns: list[URLPattern | URLResolver] = [
    path("start/", views.export_start_view, name="start"),
    path("history/", views.export_history_view, name="history"),
    path("runs/<uuid:public_id>/", views.export_run_view, name="run"),
    path("runs/<uuid:public_id>/progress/", views.export_run_progress_view, name="run_progress"),
    path("runs/<uuid:public_id>/attempts/", views.export_run_attempts_view, name="attempts"),
    path("invoices/<uuid:public_id>/mark-exported/", views.invoice_mark_exported_view, name="mark_exported"),
]
