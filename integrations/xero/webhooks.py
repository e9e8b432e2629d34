"""Xero's webhook endpoint: verify the signature, record the events, answer at once.

Xero docs: https://developer.xero.com/documentation/guides/webhooks/configuring-your-server
- ``x-xero-signature`` is base64(HMAC-SHA256(webhook key, raw body)); compare in constant time;
- answer 200 with no body within 5 seconds, 401 to anything wrongly signed (intent to receive
  checks both before Xero sends a single event);
- CSRF-exempt by necessity (Xero cannot hold a CSRF token); the HMAC is the authentication, and the
  view only records events: it changes no invoice, reads no tenant data and answers nothing back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.xero.payments import xero_webhook_events_record

logger = logging.getLogger(__name__)


def xero_signature_valid(*, body: bytes, signature: str, key: str) -> bool:
    """Whether ``signature`` is Xero's signature of ``body`` under ``key`` (constant time)."""
    if not key or not signature:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


@csrf_exempt  # Xero cannot send a CSRF token; the HMAC signature authenticates instead (SECURITY.md)
@require_POST
def xero_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body
    if not xero_signature_valid(body=body, signature=request.headers.get("x-xero-signature", ""),
                                key=settings.XERO_WEBHOOK_KEY):  # fmt: skip
        return HttpResponse(status=401)
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(payload, dict):
        return HttpResponse(status=400)
    recorded = xero_webhook_events_record(payload=payload)
    if recorded:
        from integrations.xero.tasks import xero_payment_events_process_task

        transaction.on_commit(xero_payment_events_process_task.delay)
    return HttpResponse(status=200)
