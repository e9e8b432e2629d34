"""Home, the Settings menu and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from tenancy.scoping import ADMIN_ONLY, role_required


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    if request.user.role == "customer":  # type: ignore[union-attr]
        return redirect("portal:home")
    if request.user.role in ("admin", "accounts"):  # type: ignore[union-attr]
        return redirect("invoicing:ready")
    return redirect("bookings:list")


@role_required(*ADMIN_ONLY)
def settings_index(request: HttpRequest) -> HttpResponse:
    """Settings → Integration → Authentication → Xero starts here."""
    return render(request, "tenancy/settings_index.html")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
