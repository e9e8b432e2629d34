"""The Content-Security-Policy middleware: django-csp's, with the OAuth sign-in pages in form-action.

Browsers apply ``form-action`` to the redirect that follows a form's POST, and the Connect buttons
POST to us and are redirected to the accounting system's sign-in page. Its origin is read from the
settings on every request (a deployment, or a test pointing at a sandbox, changes them), from the
settings named in ``CSP_OAUTH_AUTHORIZE_URL_SETTINGS``.
"""

from __future__ import annotations

from typing import Any

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.http import HttpRequest

from freighttracker.env import origin_of


def oauth_origins() -> list[str]:
    urls = (str(getattr(settings, name, "") or "") for name in settings.CSP_OAUTH_AUTHORIZE_URL_SETTINGS)
    return sorted({origin_of(url) for url in urls if url})


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request: HttpRequest, response: Any, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if not report_only:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *oauth_origins()]
            parts.update = update
        return parts
