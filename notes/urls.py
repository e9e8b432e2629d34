from django.urls import path

from notes import views

app_name = "notes"
urlpatterns = [
    path("bookings/<int:pk>/", views.booking_add, name="booking_add"),
    path("warehouse/<int:pk>/", views.warehouse_add, name="warehouse_add"),
    path("settings/", views.notes_settings, name="settings"),
]
