"""Attach the logged-in user's tenant to the request as ``request.tenant``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        tenant = None
        if user is not None and user.is_authenticated:
            tenant = user.tenant  # type: ignore[union-attr]
        request.tenant = tenant  # type: ignore[attr-defined]
        return self.get_response(request)
