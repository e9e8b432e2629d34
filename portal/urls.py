from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/", views.job_search, name="jobs"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("warehouse/<int:pk>/", views.warehouse_detail, name="warehouse_job"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<uuid:public_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("documents/<uuid:public_id>/", views.document_download, name="document"),
]
