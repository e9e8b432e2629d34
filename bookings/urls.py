from django.urls import path

from bookings import views

app_name = "bookings"
urlpatterns = [
    path("", views.booking_list, name="list"),
    path("new/", views.booking_create_view, name="create"),
    path("<int:pk>/", views.booking_detail, name="detail"),
    path("<int:pk>/edit/", views.booking_edit, name="edit"),
]
