from django.urls import path

from tracking import views

app_name = "tracking"
urlpatterns = [
    path("bookings/<int:pk>/events/", views.booking_event_add, name="booking_event_add"),
    path("warehouse/<int:pk>/events/", views.warehouse_event_add, name="warehouse_event_add"),
    path("bulk/", views.bulk, name="bulk"),
]
