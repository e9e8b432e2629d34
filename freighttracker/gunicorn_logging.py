"""gunicorn's access log, with the same redaction as our own logs (``freighttracker.logging.redact``).

gunicorn writes access lines through its own logger, outside Django's ``LOGGING``, so the redacting
filter does not see them. The OAuth callback arrives as ``?code=…&state=…`` and the next page's
Referer repeats it; both would otherwise sit in every access log. The Dockerfile and
docker-compose.yml start gunicorn with ``--logger-class freighttracker.gunicorn_logging.RedactingLogger``.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from freighttracker.logging import redact


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
