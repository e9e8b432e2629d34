from django.urls import path

from warehouse import views

app_name = "warehouse"
urlpatterns = [
    path("", views.warehouse_job_list, name="list"),
    path("new/", views.warehouse_job_create_view, name="create"),
    path("<int:pk>/", views.warehouse_job_detail, name="detail"),
    path("<int:pk>/edit/", views.warehouse_job_edit, name="edit"),
]
