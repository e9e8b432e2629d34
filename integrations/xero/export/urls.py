from django.urls import URLPattern, URLResolver

app_name = "xero_export"
urlpatterns: list[URLPattern | URLResolver] = []
