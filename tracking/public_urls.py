from django.urls import path

from tracking import views

app_name = "tracking_public"
urlpatterns = [
    path("<str:token>/", views.public_page, name="page"),
]
