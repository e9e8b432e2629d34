"""Issue 9, item 9: a Content-Security-Policy on every page, and templates that can live under it.

The browser tests (tests/e2e, the ``page`` fixture) fail on any violation Chromium reports; these
tests check the header itself and keep inline script, style and event handlers out of the templates,
so a new template fails here before it fails in a browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)
# The sandbox pages are a separate development server, outside the product's policy; bench/ holds
# the benchmark's frozen copy of an old page, never served by the product; e-mail templates are
# read in mail clients, where inline styles are the norm and no page policy applies.
SKIPPED = {".venv", "sandbox", "sandboxes", "bench", "email"}
TEMPLATES = [p for p in ROOT.glob("*/**/templates/**/*.html") if not SKIPPED & set(p.relative_to(ROOT).parts)]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _policy(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/customers/", "/invoicing/", "/settings/integration/authentication/xero/"])
def test_every_page_carries_a_strict_policy(admin_client_: Client, path: str) -> None:
    response = admin_client_.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "'self'" in policy["form-action"]
    assert "unsafe" not in response["Content-Security-Policy"]


def test_form_action_allows_the_xero_sign_in_the_connect_button_redirects_to(client: Client) -> None:
    from freighttracker.env import origin_of

    policy = _policy(client.get("/login/"))
    assert origin_of(settings.XERO_AUTHORIZE_URL) in policy["form-action"]


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    assert len(TEMPLATES) > 20  # the glob found the product's templates
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)
