from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("bookings/<int:pk>/", views.booking_upload, name="booking_upload"),
    path("warehouse/<int:pk>/", views.warehouse_upload, name="warehouse_upload"),
    path("<uuid:public_id>/", views.download, name="download"),
]
