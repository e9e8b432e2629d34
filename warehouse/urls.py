from django.urls import URLPattern, URLResolver

app_name = "warehouse"
urlpatterns: list[URLPattern | URLResolver] = []
