"""``python manage.py xero_sandbox --port 8765``: run the local Xero stand-in in the foreground."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.xero.sandbox import SandboxServer


class Command(BaseCommand):
    help = "Run the local Xero sandbox (identity + accounting API, consent page, control API) over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("XERO_SANDBOX_PORT", "8765")))
        parser.add_argument("--auto-approve", action="store_true", help="Skip the consent page and allow every org.")
        parser.add_argument("--no-rate-limits", action="store_true", help="Never answer 429 (benchmarks).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.XERO_SANDBOX_ENABLED:
            raise CommandError(
                "The Xero sandbox is a development and demo tool and is disabled under these settings. "
                "Set XERO_SANDBOX_ENABLED=true to run it anyway."
            )
        config: dict[str, Any] = {}
        if options["auto_approve"]:
            config["auto_approve"] = True
        if options["no_rate_limits"]:
            config["rate_limits_enabled"] = False
        if options["verbosity"] >= 2:  # -v 2: one line per request, handy in a demo
            request_logger = logging.getLogger("integrations.xero.sandbox.server")
            request_logger.setLevel(logging.DEBUG)
            request_logger.addHandler(logging.StreamHandler(self.stdout))
            request_logger.propagate = False
        server = SandboxServer(host=options["host"], port=options["port"], **config)
        base = server.base_url
        self.stdout.write(
            f"Xero sandbox on {base}\n"
            f"  what it holds:  {base}/\n"
            f"  XERO_AUTHORIZE_URL={base}/identity/connect/authorize\n"
            f"  XERO_TOKEN_URL={base}/connect/token\n"
            f"  XERO_REVOKE_URL={base}/connect/revocation\n"
            f"  XERO_CONNECTIONS_URL={base}/connections\n"
            f"  XERO_API_URL={base}/api.xro/2.0\n"
            f"  control API:    {base}/_sandbox/(reset|config|faults|state|requests|stats)\n"
            "Ctrl+C to stop."
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Xero sandbox stopped.")
