from django.urls import URLPattern, URLResolver, path

from invoicing import views

app_name = "invoicing"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.invoice_ready_view, name="ready"),
    path("all/", views.invoice_list_view, name="list"),
    path("raise/", views.invoice_raise_view, name="raise"),
    path("raise/runs/<uuid:public_id>/", views.invoice_raise_run_view, name="raise_run"),
    path("<uuid:public_id>/", views.invoice_detail_view, name="detail"),
    path("<uuid:public_id>/edit/", views.invoice_edit_view, name="edit"),
    path("<uuid:public_id>/mark-ready/", views.invoice_mark_ready_view, name="mark_ready"),
    path("<uuid:public_id>/mark-draft/", views.invoice_mark_draft_view, name="mark_draft"),
    path("<uuid:public_id>/void/", views.invoice_void_view, name="void"),
]
