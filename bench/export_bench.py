"""Export benchmark (not a test): 10,000 invoices for 1,000 customers against the Xero sandbox.

    python bench/export_bench.py [--invoices 10000] [--customers 1000]      (or: make bench)

The sandbox runs in a subprocess with rate limits off and no latency, so the CPU time measured
here (``time.process_time`` of this process) is our code: payload building, serialisation,
database client work, HTTP client. The benchmark uses a throw-away database (``test_<name>``
of ``DATABASE_URL``, or the embedded PostgreSQL) and prints, for each export:

* Xero calls per invoice (counted by the sandbox), local CPU ms per invoice, SQL queries per
  batch (per ``PUT /Invoices``), wall time;

for the engine (new contacts, then known contacts) beside a naive one-request-per-invoice export
run in the same process as the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SANDBOX_SCRIPT = """
import sys
from integrations.xero.sandbox.server import SandboxServer
s = SandboxServer(host="127.0.0.1", port=0, rate_limits_enabled=False, auto_approve=True).start()
print(s.base_url, flush=True)
sys.stdin.read()
s.stop()
"""


def sandbox_start() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "freighttracker.settings", "PYTHONPATH": str(ROOT)}
    code = "import django; django.setup()\n" + SANDBOX_SCRIPT
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        raise SystemExit(f"sandbox did not start: {base!r}")
    return proc, base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument(
        "--naive", type=int, default=0,
        help="invoices the naive baseline exports (0 = all; per-invoice figures do not depend on it, wall time is "
        "also shown scaled to the full count)",
    )  # fmt: skip
    args = parser.parse_args()

    proc, base = sandbox_start()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "freighttracker.settings",
            "XERO_API_URL": f"{base}/api.xro/2.0",
            "XERO_TOKEN_URL": f"{base}/connect/token",
            "XERO_CONNECTIONS_URL": f"{base}/connections",
            "XERO_REVOKE_URL": f"{base}/connect/revocation",
            "XERO_AUTHORIZE_URL": f"{base}/identity/connect/authorize",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # The sandbox's limits are off and so is our own limiter: this measures our code, not
            # Xero's 60 calls a minute (which caps an organisation at about 3,000 invoices a minute).
            "XERO_EXPORT_MINUTE_LIMIT": "1000000",
            "XERO_EXPORT_CONCURRENCY": "1000",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    # Its own throw-away database, never the one pytest uses (test_<name>).
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        results = _bench(base, args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    _print(results, args)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _measure(label: str, fn: Any, *, sandbox: Any, invoices: int) -> dict[str, Any]:
    from django.db import connection

    before = sandbox.stats()
    counter = QueryCounter()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counter):
        fn()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    after = sandbox.stats()
    calls = after["api_calls_total"] - before["api_calls_total"]
    puts = after["calls"].get("PUT /api.xro/2.0/Invoices", 0) - before["calls"].get("PUT /api.xro/2.0/Invoices", 0)
    return {
        "label": label,
        "invoices": invoices,
        "xero_calls": calls,
        "calls_per_invoice": calls / invoices,
        "cpu_ms_per_invoice": 1000 * cpu / invoices,
        "queries": counter.count,
        "batches": puts,
        "queries_per_batch": counter.count / max(puts, 1),
        "wall_s": wall,
        "calls_by_kind": {
            k: after["calls"].get(k, 0) - before["calls"].get(k, 0)
            for k in after["calls"]
            if after["calls"].get(k, 0) - before["calls"].get(k, 0)
        },
    }


def _bench(base: str, args: Any) -> list[dict[str, Any]]:
    import datetime as dt

    from django.utils import timezone

    from customers.models import Customer
    from integrations.xero.crypto import secret_encrypt
    from integrations.xero.export.services import export_run_drive, export_run_start
    from integrations.xero.models import ExportTrigger, XeroConnection, XeroSettings
    from integrations.xero.sandbox.client import SandboxControl
    from integrations.xero.sandbox.seed import DEMO_AU_ORG_ID
    from integrations.xero.tests.export_support import customers_bulk_make, invoices_bulk_make
    from invoicing.models import Invoice, InvoiceStatus
    from tenancy.models import Tenant

    sandbox = SandboxControl(base, timeout=120)
    sandbox.config(log_bodies=False, max_log_entries=100)
    tenant = Tenant.objects.create(name="Bench Freight", slug="bench", timezone="Australia/Sydney")
    XeroSettings.objects.create(tenant=tenant, default_account_code="200", tax_type_map={"GST": "OUTPUT"})
    customers = customers_bulk_make(tenant=tenant, count=args.customers)
    t0 = time.perf_counter()
    invoices_bulk_make(
        tenant=tenant,
        customers=customers,
        count=args.invoices,
        jobs=None,
    )
    print(f"data: {args.invoices} invoices for {args.customers} customers in {time.perf_counter() - t0:.1f}s")

    def fresh_org(*, known_contacts: bool) -> XeroConnection:
        sandbox.reset()
        sandbox.config(rate_limits_enabled=False, log_bodies=False, max_log_entries=100)
        grant = sandbox.issue_token(org_ids=[DEMO_AU_ORG_ID])
        XeroConnection.objects.filter(tenant=tenant).delete()
        conn = XeroConnection.objects.create(
            tenant=tenant,
            xero_tenant_id=DEMO_AU_ORG_ID,
            organisation_name="Bench",
            access_token_encrypted=secret_encrypt(grant["access_token"]),
            refresh_token_encrypted=secret_encrypt(grant["refresh_token"]),
            access_token_expires_at=timezone.now() + dt.timedelta(seconds=grant["expires_in"]),
        )
        Invoice.objects.filter(tenant=tenant).update(status=InvoiceStatus.READY, xero_invoice_id="", exported_at=None)
        Customer.objects.filter(tenant=tenant).update(xero_contact_id="")
        if known_contacts:
            made: list[dict[str, Any]] = []
            for start in range(0, len(customers), 500):
                chunk = customers[start : start + 500]
                made += sandbox.add_contacts(DEMO_AU_ORG_ID, [{"Name": c.name, "ContactNumber": c.code} for c in chunk])
            by_number = {m["ContactNumber"]: m["ContactID"] for m in made}
            for c in customers:
                c.xero_contact_id = by_number[c.code]
            Customer.objects.bulk_update(customers, ["xero_contact_id"], batch_size=1000)
        return conn

    def engine() -> None:
        run = export_run_start(tenant=tenant, trigger=ExportTrigger.COMMAND, enqueue=False)
        run = export_run_drive(run_id=run.id, max_wait=3600)
        assert run.exported_count == args.invoices, run.message

    results = []
    fresh_org(known_contacts=False)
    results.append(_measure("engine, new contacts", engine, sandbox=sandbox, invoices=args.invoices))
    fresh_org(known_contacts=True)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        results.append(_measure("engine, known contacts", lambda: prof.runcall(engine), sandbox=sandbox,
                                invoices=args.invoices))  # fmt: skip
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    else:
        results.append(_measure("engine, known contacts", engine, sandbox=sandbox, invoices=args.invoices))

    naive_n = args.naive or args.invoices
    conn = fresh_org(known_contacts=True)
    ids = list(Invoice.objects.filter(tenant=tenant).order_by("id").values_list("id", flat=True)[:naive_n])
    results.append(
        _measure("naive, 1 request per invoice", lambda: _naive(conn, tenant, ids), sandbox=sandbox, invoices=len(ids))
    )
    return results


def _naive(conn: Any, tenant: Any, ids: list[int]) -> None:
    """The baseline: for each invoice, load it, build it, record an attempt, PUT it alone."""
    from django.utils import timezone
    from xero_python.accounting import Invoices
    from xero_python.api_client.serializer import serialize

    from integrations.xero.client import xero_accounting_api, xero_call_kwargs
    from integrations.xero.export.payload import invoice_payload_build
    from integrations.xero.models import AttemptOutcome, ExportAttempt, XeroSettings
    from invoicing.models import Invoice, InvoiceStatus

    api = xero_accounting_api(connection=conn)
    for invoice_id in ids:
        xs = XeroSettings.objects.get(tenant=tenant)
        inv = Invoice.objects.select_related("customer").get(pk=invoice_id)
        Invoice.objects.filter(pk=inv.pk).update(status=InvoiceStatus.EXPORTING)
        obj = invoice_payload_build(invoice=inv, xero_settings=xs, contact_id=inv.customer.xero_contact_id)
        attempt = ExportAttempt.objects.create(invoice=inv, idempotency_key=f"naive-{inv.number}",
                                               request_payload=serialize(obj))  # fmt: skip
        answer = api.create_invoices(conn.xero_tenant_id, Invoices(invoices=[obj]), summarize_errors=False,
                                     **xero_call_kwargs())  # fmt: skip
        el = answer.invoices[0]
        attempt.outcome, attempt.finished_at = AttemptOutcome.EXPORTED, timezone.now()
        attempt.response_payload = serialize(el)
        attempt.save()
        Invoice.objects.filter(pk=inv.pk).update(status=InvoiceStatus.EXPORTED, xero_invoice_id=str(el.invoice_id))


def _print(results: list[dict[str, Any]], args: Any) -> None:
    cols = [
        ("export", "label", "{:<32}"),
        ("invoices", "invoices", "{:>8}"),
        ("Xero calls", "xero_calls", "{:>10}"),
        ("calls/invoice", "calls_per_invoice", "{:>13.4f}"),
        ("CPU ms/invoice", "cpu_ms_per_invoice", "{:>14.3f}"),
        ("SQL/batch", "queries_per_batch", "{:>9.1f}"),
        ("wall s", "wall_s", "{:>8.1f}"),
    ]
    print()
    print("  ".join(f"{h:<32}" if i == 0 else f"{h:>{len(fmt.format(0)) if 'f' not in fmt else 10}}"
                    for i, (h, _k, fmt) in enumerate(cols)))  # fmt: skip
    for r in results:
        print("  ".join(fmt.format(r[k]) for _h, k, fmt in cols))
    for r in results:
        if r["invoices"] != args.invoices:
            scaled = r["wall_s"] * args.invoices / r["invoices"]
            print(f"({r['label']}: a sample of {r['invoices']}; wall time scaled to {args.invoices}: {scaled:.0f} s)")
    print()
    print("targets: <= 0.025 calls/invoice with known contacts, <= 2 ms CPU/invoice")
    print("calls by kind:")
    for r in results:
        print(f"  {r['label']}: {json.dumps(r['calls_by_kind'])}")


if __name__ == "__main__":
    main()
