from django.urls import URLPattern, URLResolver

app_name = "xero"
urlpatterns: list[URLPattern | URLResolver] = []
