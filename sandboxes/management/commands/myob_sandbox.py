"""``python manage.py myob_sandbox --port 8766``: run the local MYOB stand-in in the foreground (dev only)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandboxes.myob import DEMO_BUSINESS_ID, LEGACY_BUSINESS_ID, MyobSandboxServer


class Command(BaseCommand):
    help = "Run the local MYOB sandbox (OAuth, AccountRight API v2, consent page, control API) over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8766, help="0 = any free port (printed)")
        parser.add_argument("--auto-approve", action="store_true", help="Skip the consent page (first file).")
        parser.add_argument("--no-rate-limits", action="store_true", help="Never answer RateLimitError (benchmarks).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "MYOB_SANDBOX_ENABLED", False):
            raise CommandError("The MYOB sandbox is a development tool; set MYOB_SANDBOX_ENABLED=true to run it.")
        config: dict[str, Any] = {}
        if options["auto_approve"]:
            config["auto_approve"] = True
        if options["no_rate_limits"]:
            config["rate_limits_enabled"] = False
        if options["verbosity"] >= 2:
            request_logger = logging.getLogger("sandboxes.http")
            request_logger.setLevel(logging.DEBUG)
            request_logger.addHandler(logging.StreamHandler(self.stdout))
            request_logger.propagate = False
        server = MyobSandboxServer(host=options["host"], port=options["port"], **config)

        def ready(port: int) -> None:
            base = f"http://{options['host']}:{port}"
            self.stdout.write(
                f"MYOB sandbox on {base}\n"
                f"  what it holds:   {base}/\n"
                f"  authorize:       {base}/oauth2/account/authorize\n"
                f"  token:           {base}/oauth2/v1/authorize\n"
                f"  API base:        {base}/accountright\n"
                f"  company files:   {DEMO_BUSINESS_ID} (current), {LEGACY_BUSINESS_ID} (older, zero-padded)\n"
                f"  control API:     {base}/_sandbox/(reset|config|clock|faults|state|grant|requests|stats)\n"
                "Ctrl+C to stop."
            )
            self.stdout.flush()

        try:
            server.serve_forever(ready)
        except KeyboardInterrupt:
            self.stdout.write("MYOB sandbox stopped.")
