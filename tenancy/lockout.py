"""The page django-axes shows a locked-out login: why, and when the person may try again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def login_lockout_until(*, request: HttpRequest, credentials: dict[str, Any] | None) -> dt.datetime:
    """When the lock on this username + address ends: its last failure plus the cool-off."""
    cool_off = get_cool_off(request) or dt.timedelta(minutes=15)
    username = get_client_username(request, credentials)
    ip = getattr(request, "axes_ip_address", None)
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a styled page with the time the lock ends (429 Too Many Requests)."""
    until = login_lockout_until(request=request, credentials=credentials)
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    context = {"until": until, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
