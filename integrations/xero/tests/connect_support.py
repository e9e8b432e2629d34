"""Drive the real OAuth flow against the Xero sandbox from a Django test client (used by several test files).

Connect is POSTed to our view, the authorize redirect is followed with a real HTTP GET to the
sandbox (auto-approve on), and the sandbox's redirect back is replayed against our callback.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.test import Client
from django.urls import reverse


def authorize_url_get(client: Client) -> str:
    """POST Connect as the client's user; return the authorize URL we redirect to."""
    response = client.post(reverse("xero:connect"))
    assert response.status_code == 302, response
    return str(response["Location"])


def sandbox_approve(authorize_url: str) -> dict[str, str]:
    """GET the authorize URL at the sandbox (auto-approve must be on); return the callback query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:500]
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    return {key: values[-1] for key, values in query.items()}


def callback_call(client: Client, params: dict[str, str]) -> Any:
    return client.get(reverse("xero:callback"), params)


def connect_via_sandbox(client: Client, sandbox: Any, *, org_ids: list[str] | None = None) -> Any:
    """Run Connect → authorize → callback; return our callback response."""
    sandbox.control.config(auto_approve=True, approve_org_ids=org_ids)
    return callback_call(client, sandbox_approve(authorize_url_get(client)))
