"""Settings → Users, mounted at /settings/users/ (namespace ``users``)."""

from django.urls import URLPattern, URLResolver, path

from tenancy.users import views

app_name = "users"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.users_view, name="list"),
    path("invite/", views.user_invite_view, name="invite"),
    path("<int:pk>/role/", views.user_role_view, name="role"),
    path("<int:pk>/deactivate/", views.user_deactivate_view, name="deactivate"),
    path("<int:pk>/reactivate/", views.user_reactivate_view, name="reactivate"),
    path("<int:pk>/resend/", views.user_resend_view, name="resend"),
]
