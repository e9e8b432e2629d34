"""Tokens, the client secret and our keys never reach a log line.

Every logger is captured at DEBUG — ours, Django's, urllib3, requests, xero_python, celery — while the
real flow runs against the sandbox over HTTP: connect (code exchange), a forced token refresh
(rotation), an export of invoices, and disconnect (revocation). Then every captured message, its
arguments and any traceback are searched for the secrets. A second test does the same for a real
Celery worker process logging at DEBUG.

Records of the sandbox itself (``integrations.xero.sandbox``) are left out: it plays Xero, whose
logs are not ours.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from integrations.xero.crypto import secret_decrypt
from integrations.xero.export.limiter import limiter_reset
from integrations.xero.export.services import export_run_drive, export_run_start
from integrations.xero.models import ExportRun, ExportRunStatus, ExportTrigger, XeroConnection, XeroSettings
from integrations.xero.tests.connect_support import connect_via_sandbox
from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make
from integrations.xero.tokens import xero_token_refresh
from invoicing.models import Invoice, InvoiceStatus
from tenancy.models import Tenant
from tests.e2e.conftest import E2E_REDIS_URL, Worker, wait_until

CLIENT_SECRET = "cl1ent-s3cret-NEVER-LOG-4f1d2a"
CHATTY = ("", "urllib3", "requests", "xero_python", "celery", "django", "integrations", "axes", "kombu", "amqp")


def _tokens(connection: XeroConnection) -> list[str]:
    connection.refresh_from_db()
    return [secret_decrypt(connection.access_token_encrypted), secret_decrypt(connection.refresh_token_encrypted)]


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(getattr(record, "__dict__", {}))]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    return "\n".join(parts)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in CHATTY:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [s[:6] + "…" for s in secrets if s and s in text]


@pytest.mark.django_db
@pytest.mark.xdist_group("e2e")
def test_no_token_or_secret_in_the_logs_of_connect_refresh_export_and_disconnect(
    admin_client_: Client,
    tenant: Tenant,
    xero_sandbox: Any,
    xero_sandbox_settings: Any,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    xero_sandbox_settings.XERO_CLIENT_SECRET = CLIENT_SECRET
    xero_sandbox_settings.REDIS_URL = E2E_REDIS_URL  # this suite's own limiter store
    limiter_reset(org=xero_sandbox.au_org_id)
    secrets = [CLIENT_SECRET, settings.SECRET_KEY, *settings.FERNET_KEYS]

    response = connect_via_sandbox(admin_client_, xero_sandbox, org_ids=[xero_sandbox.au_org_id])
    assert response.status_code == 302
    connection = XeroConnection.objects.get(tenant=tenant)
    secrets += _tokens(connection)
    xero_token_refresh(connection_id=connection.pk, force=True)
    secrets += _tokens(connection)
    XeroSettings.objects.update_or_create(
        tenant=tenant,
        defaults={"default_account_code": "200", "tax_type_map": {"GST": "OUTPUT"}, "send_customer_reference": True},
    )
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=2), count=3)
    run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL)
    export_run_drive(run_id=run.pk)
    assert Invoice.objects.filter(tenant=tenant, status=InvoiceStatus.EXPORTED).count() == 3
    assert admin_client_.post("/settings/integration/authentication/xero/disconnect/").status_code == 302
    assert not XeroConnection.objects.filter(tenant=tenant).exists()

    ours = [r for r in debug_logs.records if not r.name.startswith("integrations.xero.sandbox")]
    assert len(ours) > 10, "the capture saw (almost) nothing: is logging wired?"
    assert any(r.name.startswith("urllib3") for r in ours), "urllib3's DEBUG lines were not captured"
    leaks = [(r.name, _secrets_in(_record_text(r), secrets)) for r in ours]
    leaks = [(name, found) for name, found in leaks if found]
    assert not leaks, f"secrets in log records: {leaks}"
    assert not _secrets_in(debug_logs.text, secrets)


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("e2e")
def test_no_token_or_secret_in_a_debug_celery_workers_log(
    tenant: Tenant, xero_sandbox: Any, xero_sandbox_settings: Any
) -> None:
    from integrations.xero.tests.export_support import xero_connection_make

    xero_sandbox_settings.XERO_CLIENT_SECRET = CLIENT_SECRET
    XeroSettings.objects.update_or_create(tenant=tenant, defaults={"default_account_code": "200"})
    connection = xero_connection_make(tenant=tenant, sandbox=xero_sandbox)
    # Expire the access token so the worker refreshes (client secret + refresh token on the wire).
    XeroConnection.objects.filter(pk=connection.pk).update(access_token_expires_at="2000-01-01T00:00:00Z")
    secrets = [CLIENT_SECRET, settings.SECRET_KEY, *settings.FERNET_KEYS, *_tokens(connection)]
    invoices_bulk_make(tenant=tenant, customers=customers_bulk_make(tenant=tenant, count=2), count=3)

    worker = Worker({**xero_sandbox.urls(), "XERO_CLIENT_SECRET": CLIENT_SECRET, "LOG_LEVEL": "DEBUG"})
    worker.broker_use()
    try:
        worker.start(loglevel="DEBUG")
        run = export_run_start(tenant=tenant, trigger=ExportTrigger.MANUAL)
        wait_until(
            lambda: ExportRun.objects.filter(pk=run.pk, status=ExportRunStatus.FINISHED).exists(),
            timeout=60,
            what="the export run",
            worker=worker,
        )
    finally:
        worker.stop()
        worker.broker_restore()
    secrets += _tokens(connection)  # the pair the worker obtained

    log = worker.output()
    assert "xero_export.run" in log and "DEBUG" in log
    assert not _secrets_in(log, secrets), "a secret is in the worker's log"
