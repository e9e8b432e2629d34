"""Attach the logged-in user's tenant to the request as ``request.tenant`` and show times in its zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tenant = None
        if user is not None and user.is_authenticated:
            tenant = user.tenant  # type: ignore[union-attr]
        request.tenant = tenant  # type: ignore[attr-defined]
        # Every time a person sees is in their company's zone (templates convert aware datetimes to
        # the active zone); the ``when`` filter adds the zone's name so no time is shown unlabelled.
        try:
            zone = zoneinfo.ZoneInfo(tenant.timezone) if tenant is not None and tenant.timezone else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
