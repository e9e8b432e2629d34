from django.urls import URLPattern, URLResolver

app_name = "bookings"
urlpatterns: list[URLPattern | URLResolver] = []
