"""``manage.py myob_sandbox`` serves over HTTP, and does not exist at all when the sandbox is disabled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", **extra}


def test_command_serves_the_sandbox_on_the_given_port() -> None:
    process = subprocess.Popen(
        [sys.executable, "manage.py", "myob_sandbox", "--port", "0"],
        cwd=ROOT,
        env=_env(MYOB_SANDBOX_ENABLED="true"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # blocks until the socket is bound
        assert first.startswith("MYOB sandbox on http://127.0.0.1:"), first
        base = first.split(" on ", 1)[1].strip()
        page = requests.get(base + "/", timeout=10)
        assert page.status_code == 200 and "Demo Freight Co (MYOB)" in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_is_not_installed_when_the_sandbox_is_disabled() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "myob_sandbox", "--port", "0"],
        cwd=ROOT,
        env=_env(MYOB_SANDBOX_ENABLED="false"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Unknown command: 'myob_sandbox'" in result.stderr
