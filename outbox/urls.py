from django.urls import path

from outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.outbox_list, name="list"),
    path("<uuid:public_id>/retry/", views.outbox_retry, name="retry"),
]
