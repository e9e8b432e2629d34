"""``manage.py xero_export --tenant SLUG [--invoice NUMBER ...] [--wait]`` — the Export button on
the command line. Without ``--wait`` the run is queued for the workers; with it the export runs
in this process to the end and every invoice's outcome is printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.xero.export.selectors import xero_invoice_link
from integrations.xero.export.services import export_run_drive, export_run_start
from integrations.xero.models import ExportTrigger
from invoicing.models import EXPORTABLE_STATUSES, Invoice
from tenancy.models import Tenant


class Command(BaseCommand):
    help = "Export a tenant's ready invoices (or the given numbers) to Xero."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant slug")
        parser.add_argument("--invoice", action="append", default=[], metavar="NUMBER", help="Invoice number (repeat)")
        parser.add_argument("--wait", action="store_true", help="Export in this process and print each outcome")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {options['tenant']!r}.")
        ids = None
        if options["invoice"]:
            found = dict(
                Invoice.objects.filter(tenant=tenant, number__in=options["invoice"]).values_list("number", "status")
            )
            missing = [n for n in options["invoice"] if n not in found]
            if missing:
                raise CommandError(f"No such invoice for {tenant.slug}: {', '.join(missing)}")
            not_ready = [n for n, s in found.items() if s not in EXPORTABLE_STATUSES]
            for number in not_ready:
                self.stderr.write(f"{number}: skipped ({found[number]}, not exportable)")
            ids = list(
                Invoice.objects.filter(
                    tenant=tenant, number__in=options["invoice"], status__in=EXPORTABLE_STATUSES
                ).values_list("id", flat=True)
            )
        run = export_run_start(
            tenant=tenant, trigger=ExportTrigger.COMMAND, invoice_ids=ids, enqueue=not options["wait"]
        )
        if not run.total_count:
            self.stdout.write("Nothing to export.")
            return
        if not options["wait"]:
            self.stdout.write(f"Export run {run.public_id} queued: {run.total_count} invoice(s).")
            return
        run = export_run_drive(run_id=run.id)
        for inv in run.invoices.order_by("number"):
            if inv.status == "exported":
                line = f"{inv.number}: exported  {inv.xero_invoice_id}  {xero_invoice_link(inv.xero_invoice_id)}"
            elif inv.status == "export_failed":
                line = f"{inv.number}: FAILED  {inv.export_error}"
            else:
                line = f"{inv.number}: {inv.status}"
            self.stdout.write(line)
        self.stdout.write(f"Run {run.get_status_display().lower()}: {run.message}")
        if run.failed_count or run.status != "finished":
            raise SystemExit(1)
