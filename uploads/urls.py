from django.urls import path

from uploads import views

app_name = "uploads"
urlpatterns = [
    path("", views.upload_index, name="index"),
    path("template/<str:kind>.<str:fmt>", views.upload_template, name="template"),
    path("<uuid:public_id>/", views.upload_detail, name="detail"),
    path("<uuid:public_id>/progress/", views.upload_progress_view, name="progress"),
    path("<uuid:public_id>/skip-existing/", views.upload_skip_existing_view, name="skip_existing"),
    path("<uuid:public_id>/commit/", views.upload_commit_view, name="commit"),
    path("<uuid:public_id>/discard/", views.upload_discard_view, name="discard"),
    path("<uuid:public_id>/errors.csv", views.upload_errors_csv, name="errors_csv"),
]
