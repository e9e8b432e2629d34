from django.urls import path

from portal import staff_views

app_name = "portal_users"
urlpatterns = [
    path("<int:customer_pk>/invite/", staff_views.portal_invite, name="invite"),
]
