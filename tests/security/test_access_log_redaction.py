"""Issue 9, item 9: the OAuth ``code`` and ``state`` never reach an access log (runserver or gunicorn)."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from freighttracker.logging import REDACTED, redact

CODE = "4-AbCdEf_ghIJ-xyz.0123456789"
STATE = "sT4te-VALUE_0123456789abcdef"
CALLBACK = f"/settings/integration/authentication/xero/callback/?code={CODE}&state={STATE}&scope=openid"


def test_redact_hides_code_and_state_in_a_request_line_and_a_referer() -> None:
    line = f'"GET {CALLBACK} HTTP/1.1" 302 0 "https://tms.example.com{CALLBACK}"'
    cleaned = redact(line)
    assert CODE not in cleaned and STATE not in cleaned
    assert f"?code={REDACTED}&state={REDACTED}&scope=openid" in cleaned


def test_other_query_parameters_are_kept() -> None:
    line = "GET /bookings/?q=zipcode&status=completed&page=2 HTTP/1.1"
    assert redact(line) == line


def test_the_runserver_request_log_is_redacted() -> None:
    # runserver logs each request to "django.server" with its own handler (propagate off), which
    # settings.LOGGING must give the redacting filter too.
    logger = logging.getLogger("django.server")
    handlers = [h for h in logger.handlers if type(h) is logging.StreamHandler]
    assert handlers and not logger.propagate
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    try:
        logger.info('"%s" %s %s', f"GET {CALLBACK} HTTP/1.1", 302, 0)
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)
    out = stream.getvalue()
    assert "callback/?code=" in out
    assert CODE not in out and STATE not in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_access_log_is_redacted(tmp_path: Path) -> None:
    """A real gunicorn with the options of the Dockerfile and docker-compose.yml."""
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()
    assert "freighttracker.gunicorn_logging.RedactingLogger" in dockerfile
    log = tmp_path / "access.log"
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "freighttracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--logger-class",
            "freighttracker.gunicorn_logging.RedactingLogger",
            "--access-logfile",
            str(log),
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "freighttracker.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A path that needs no database: the access line is written whatever the answer.
        url = f"http://127.0.0.1:{port}/no-such-page/?code={CODE}&state={STATE}"
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(url, headers={"Referer": f"http://127.0.0.1:{port}{CALLBACK}"})
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError:
                break  # 404 or 400: gunicorn answered
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
                continue
            break
        deadline = time.monotonic() + 10
        while "no-such-page" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "/no-such-page/?code=" in text
    assert CODE not in text and STATE not in text
