from django.urls import path

from tracking import views

app_name = "tracking"
urlpatterns = [
    path("bookings/<int:pk>/events/", views.booking_event_add, name="booking_event_add"),
    path("warehouse/<int:pk>/events/", views.warehouse_event_add, name="warehouse_event_add"),
    path("bulk/", views.bulk, name="bulk"),
    path("bookings/<int:pk>/links/", views.booking_link_create, name="booking_link_create"),
    path("warehouse/<int:pk>/links/", views.warehouse_link_create, name="warehouse_link_create"),
    path("links/<uuid:public_id>/revoke/", views.link_revoke, name="link_revoke"),
]
