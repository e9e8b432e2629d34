"""One batch of up to 50 invoices: claim, record the attempts, one ``PUT /Invoices``, record
each invoice's own outcome.

The claim (``SELECT … FOR UPDATE SKIP LOCKED`` + ``UPDATE status=exporting``) and the pending
attempt rows are written in one transaction *before* the call, so a crash leaves a trace and the
invoices cannot be picked by anyone else; the HTTP call itself runs outside any transaction.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import urllib3
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from xero_python.accounting import AccountingApi
from xero_python.api_client.serializer import serialize
from xero_python.exceptions import AccountingBadRequestException, HTTPStatusException

from integrations.xero.exceptions import XeroError
from integrations.xero.export.calls import RateLimited, xero_call, xero_slot_take
from integrations.xero.export.limiter import Slot, limiter_release
from integrations.xero.export.payload import invoice_payload_build, invoice_url_template
from integrations.xero.models import AttemptOutcome, ExportAttempt, ExportRun, XeroSettings
from invoicing.models import EXPORTABLE_STATUSES, Invoice, InvoiceJob, InvoiceStatus

BATCH_SIZE = 50
# Xero answers a re-used InvoiceNumber with this validation message; the invoice is already there.
DUPLICATE_NUMBER_MARKERS = ("must be unique", "already been used", "already exists")


@dataclass
class BatchResult:
    exported: int = 0
    failed: int = 0
    unknown: int = 0
    retry: int = 0
    error: str = ""
    retry_after: float | None = None
    status: int = 0
    outcomes: dict[str, str] = field(default_factory=dict)


def idempotency_key(*, tenant_id: int, numbers: Sequence[str], payload: Any) -> str:
    """Same tenant, same invoices, same content → same key, so Xero replays instead of creating
    twice; any change of content gives a new key. Always ≤ 128 characters."""
    ordered = sorted(numbers)
    digest = hashlib.sha256(
        json.dumps([ordered, payload], sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    return f"ft-{tenant_id}-{ordered[0][:30]}-{ordered[-1][:30]}-{len(ordered)}-{digest[:40]}"[:128]


def batch_claim(*, candidate_ids: Sequence[int]) -> list[int]:
    """Claim candidates that are still exportable; return the ids this worker now owns.

    Must run inside a transaction: the row locks (SKIP LOCKED, so a concurrent claimer skips
    rather than waits) last until the attempts are written.
    """
    ids = list(
        Invoice.objects.select_for_update(skip_locked=True)
        .filter(id__in=candidate_ids, status__in=EXPORTABLE_STATUSES)
        .values_list("id", flat=True)
    )
    if ids:
        Invoice.objects.filter(id__in=ids, status__in=EXPORTABLE_STATUSES).update(
            status=InvoiceStatus.EXPORTING, exporting_since=timezone.now()
        )
    return ids


def _invoices_load(ids: Sequence[int]) -> list[Invoice]:
    return list(
        Invoice.objects.filter(id__in=ids)
        .select_related("customer")
        .prefetch_related(
            Prefetch("invoice_jobs", queryset=InvoiceJob.objects.filter(active=True).order_by("position", "id")),
            "lines",
        )
        .order_by("id")
    )


def batch_send(
    *,
    api: AccountingApi,
    org: str,
    run: ExportRun,
    xero_settings: XeroSettings,
    candidate_ids: Sequence[int],
    contact_errors: dict[int, str],
) -> BatchResult:
    """Claim ``candidate_ids``, send what was claimed in one request, record every outcome."""
    result = BatchResult()
    url_template = invoice_url_template()
    # The call slot first: when the limiter says wait, nothing has been claimed or recorded yet.
    slot = xero_slot_take(org=org)
    try:
        return _batch_send(
            api=api, org=org, run=run, xero_settings=xero_settings, candidate_ids=candidate_ids,
            contact_errors=contact_errors, slot=slot, result=result, url_template=url_template,
        )  # fmt: skip
    finally:
        limiter_release(org=org, slot=slot)  # idempotent: the call released it already when made


def _batch_send(
    *,
    api: AccountingApi,
    org: str,
    run: ExportRun,
    xero_settings: XeroSettings,
    candidate_ids: Sequence[int],
    contact_errors: dict[int, str],
    slot: Slot,
    result: BatchResult,
    url_template: str,
) -> BatchResult:
    with transaction.atomic():
        claimed = batch_claim(candidate_ids=candidate_ids)
        if not claimed:
            return result
        invoices = _invoices_load(claimed)
        # Customers Xero refused to create fail straight away, with Xero's words.
        rejected = [i for i in invoices if i.customer_id in contact_errors or not i.customer.xero_contact_id]
        sendable = [i for i in invoices if i not in rejected]
        objects = [
            invoice_payload_build(
                invoice=i, xero_settings=xero_settings, contact_id=i.customer.xero_contact_id, url_template=url_template
            )
            for i in sendable
        ]
        wire = [serialize(o) for o in objects]
        key = idempotency_key(tenant_id=run.tenant_id, numbers=[i.number for i in sendable] or ["-"], payload=wire)
        now = timezone.now()
        attempts = ExportAttempt.objects.bulk_create(
            [
                ExportAttempt(run=run, invoice=i, idempotency_key=key, started_at=now, request_payload=w)
                for i, w in zip(sendable, wire, strict=True)
            ]
            + [
                ExportAttempt(
                    run=run,
                    invoice=i,
                    idempotency_key="",
                    started_at=now,
                    finished_at=now,
                    outcome=AttemptOutcome.FAILED,
                    error=_contact_error(contact_errors, i),
                )
                for i in rejected
            ]
        )
        for i in rejected:
            i.status, i.export_error, i.exporting_since = (
                InvoiceStatus.EXPORT_FAILED,
                _contact_error(contact_errors, i),
                None,
            )
        Invoice.objects.bulk_update(rejected, ["status", "export_error", "exporting_since"])
        result.failed += len(rejected)
    if not sendable:
        return result
    attempts = attempts[: len(sendable)]
    started = time.monotonic()
    try:
        # The body is the already-serialised payload (the SDK would serialise the objects again),
        # and the answer is read as Xero's JSON rather than deserialised into SDK objects: both
        # halve the CPU per invoice and the attempt keeps Xero's own words.
        raw = xero_call(
            org=org,
            kind="invoices_put",
            fn=api.create_invoices,
            invoices={"Invoices": wire},
            summarize_errors=False,
            idempotency_key=key,
            _preload_content=False,
            slot=slot,
        )
        try:
            answer = json.loads(raw.data or b"{}")
        finally:
            raw.release_conn()
    except RateLimited as exc:
        _release(attempts, sendable, started, f"Rate limited by Xero; retry in {exc.wait_seconds:.0f}s")
        result.retry, result.retry_after = len(sendable), exc.wait_seconds
        raise
    except XeroError as exc:
        # Raised by the token getter before the request went out: nothing reached Xero.
        _release(attempts, sendable, started, f"Not sent: {exc}")
        raise
    except AccountingBadRequestException as exc:
        _answer_record(attempts, sendable, started, elements=_bad_request_elements(exc), result=result)
        return result
    except HTTPStatusException as exc:
        status = int(exc.status or 0)
        if status >= 500:
            _unknown(attempts, started, f"Xero answered HTTP {status}; outcome unknown until looked up")
            result.unknown = len(sendable)
        else:  # 401/403/404…: refused before processing; 401 makes the caller refresh the token
            _release(attempts, sendable, started, f"Xero answered HTTP {status} {exc.reason or ''}".strip())
            result.retry = len(sendable)
        result.error = f"HTTP {status}"
        result.status = status
        return result
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        _unknown(attempts, started, f"No answer from Xero ({type(exc).__name__}); outcome unknown until looked up")
        result.unknown, result.error = len(sendable), type(exc).__name__
        return result
    _answer_record(attempts, sendable, started, elements=list(answer.get("Invoices") or []), result=result)
    return result


def _bad_request_elements(exc: AccountingBadRequestException) -> list[dict[str, Any]]:
    """A 400: read every element's own errors when Xero listed them."""
    try:
        data = exc.error_data
    except Exception:
        data = None
    elements = (data or {}).get("Elements", []) if isinstance(data, dict) else []
    if not elements:
        message = str(getattr(exc, "reason", "") or "Xero refused the request (HTTP 400).")
        return [{"StatusAttributeString": "ERROR", "ValidationErrors": [{"Message": message}], "InvoiceNumber": None}]
    return [{**el, "StatusAttributeString": "ERROR"} for el in elements]


def _release(attempts: list[ExportAttempt], invoices: list[Invoice], started: float, error: str) -> None:
    """Nothing was created (429, 4xx before processing): invoices back to ready for a later try."""
    now, ms = timezone.now(), int((time.monotonic() - started) * 1000)
    ExportAttempt.objects.filter(id__in=[a.id for a in attempts]).update(
        outcome=AttemptOutcome.RETRY, finished_at=now, duration_ms=ms, error=error
    )
    Invoice.objects.filter(id__in=[i.id for i in invoices], status=InvoiceStatus.EXPORTING).update(
        status=InvoiceStatus.READY, exporting_since=None
    )


def _unknown(attempts: list[ExportAttempt], started: float, error: str) -> None:
    """Maybe created: invoices stay EXPORTING until a look-up settles them."""
    ExportAttempt.objects.filter(id__in=[a.id for a in attempts]).update(
        outcome=AttemptOutcome.UNKNOWN,
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
        error=error,
    )


def _messages(element: dict[str, Any]) -> str:
    errors = element.get("ValidationErrors") or []
    return "; ".join(str(e.get("Message")) for e in errors if e.get("Message")) or "Rejected by Xero."


def _answer_record(
    attempts: list[ExportAttempt],
    invoices: list[Invoice],
    started: float,
    *,
    elements: list[dict[str, Any]],
    result: BatchResult,
) -> None:
    """Each invoice's own outcome from Xero's per-element answer (``summarizeErrors=false``)."""
    now, ms = timezone.now(), int((time.monotonic() - started) * 1000)
    by_number = {e.get("InvoiceNumber"): e for e in elements}
    attempt_rows: list[tuple[Any, ...]] = []
    invoice_rows: list[tuple[Any, ...]] = []
    single = len(elements) == 1 and len(invoices) == 1
    for attempt, invoice in zip(attempts, invoices, strict=True):
        el = by_number.get(invoice.number) or (elements[0] if single else None)
        if el is None:
            attempt_rows.append(
                (attempt.id, AttemptOutcome.UNKNOWN, None, "Xero's answer did not mention this invoice.")
            )
            result.unknown += 1
            continue
        ok = el.get("StatusAttributeString", "OK") != "ERROR" and not el.get("HasErrors")
        if ok and el.get("InvoiceID"):
            attempt_rows.append((attempt.id, AttemptOutcome.EXPORTED, el, ""))
            invoice_rows.append((invoice.id, InvoiceStatus.EXPORTED, str(el["InvoiceID"]), now, ""))
            result.exported += 1
            result.outcomes[invoice.number] = "exported"
            continue
        message = _messages(el)
        if any(marker in message.lower() for marker in DUPLICATE_NUMBER_MARKERS):
            # Xero already holds this number (an earlier unanswered try got through): settle by look-up.
            attempt_rows.append((attempt.id, AttemptOutcome.UNKNOWN, el, message))
            result.unknown += 1
            continue
        attempt_rows.append((attempt.id, AttemptOutcome.FAILED, el, message))
        invoice_rows.append((invoice.id, InvoiceStatus.EXPORT_FAILED, "", None, message))
        result.failed += 1
        result.outcomes[invoice.number] = "failed"
    with transaction.atomic(), connection.cursor() as cur:
        # One UPDATE … FROM (VALUES …) per table: Django's bulk_update builds CASE expressions
        # that cost more CPU than everything else in a batch.
        if attempt_rows:
            values = ", ".join(["(%s, %s, %s::jsonb, %s)"] * len(attempt_rows))
            params: list[Any] = []
            for aid, outcome, payload, error in attempt_rows:
                params += [aid, str(outcome), json.dumps(payload) if payload is not None else None, error]
            cur.execute(
                f"UPDATE {ExportAttempt._meta.db_table} AS a SET outcome = v.outcome, finished_at = %s,"  # noqa: S608
                f" duration_ms = %s, response_payload = v.payload, error = v.error"
                f" FROM (VALUES {values}) AS v(id, outcome, payload, error) WHERE a.id = v.id",
                [now, ms, *params],
            )
        if invoice_rows:
            values = ", ".join(["(%s, %s, %s, %s::timestamptz, %s)"] * len(invoice_rows))
            params = [x for row in invoice_rows for x in (row[0], str(row[1]), row[2], row[3], row[4])]
            cur.execute(
                f"UPDATE {Invoice._meta.db_table} AS i SET status = v.status, xero_invoice_id = v.xid,"  # noqa: S608
                f" exported_at = v.at, export_error = v.err, exporting_since = NULL, updated_at = %s"
                f" FROM (VALUES {values}) AS v(id, status, xid, at, err)"
                f" WHERE i.id = v.id AND i.status = %s",
                [now, *params, str(InvoiceStatus.EXPORTING)],
            )


def _contact_error(contact_errors: dict[int, str], invoice: Invoice) -> str:
    """Why an invoice cannot go: Xero's words about its customer's contact, or that there is none."""
    return contact_errors.get(invoice.customer_id, "The customer has no Xero contact.")
