from django.urls import URLPattern, URLResolver, path

from integrations.xero import views

app_name = "xero"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.settings_page, name="settings"),
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
    path("choose/<int:pending_id>/", views.choose, name="choose"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("refresh-choices/", views.refresh_choices, name="refresh_choices"),
]
