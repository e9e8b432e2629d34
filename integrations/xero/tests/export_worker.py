"""A real ``celery worker`` process for the export tests: the pytest test database, Redis db 5
as broker and limiter store, and the Xero endpoints pointing at the sandbox."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings

from freighttracker.celery import app
from freighttracker.env import database_url_from_settings, redis_url_with_db

# db 5 of the server REDIS_URL names (``make test`` starts an embedded one when it is unset).
EXPORT_REDIS_URL = os.environ.get("EXPORT_TEST_REDIS_URL") or redis_url_with_db(
    getattr(settings, "REDIS_URL", "") or "redis://127.0.0.1:6379/0", 5
)
BASE_DIR = Path(settings.BASE_DIR)


def _env(sandbox_urls: dict[str, str], extra: dict[str, str], queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            # Unix-socket safe: ``make test`` on a fresh machine runs on the embedded PostgreSQL's socket.
            "DATABASE_URL": database_url_from_settings(connection.settings_dict),
            "REDIS_URL": EXPORT_REDIS_URL,
            "FERNET_KEYS": ",".join(settings.FERNET_KEYS),
            "SECRET_KEY": settings.SECRET_KEY,
            "TESTING": "true",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "XERO_HTTP_TIMEOUT": "2",
            "SITE_URL": settings.SITE_URL,
            **sandbox_urls,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            **extra,
        }
    )
    return env


def celery_broker_settings(*, url: str, queue: str) -> override_settings:
    """Publish from this process to ``url`` / ``queue``. Celery 5.6 reads the ``CELERY_*`` Django
    settings ahead of ``app.conf.update()`` values, so both are changed (``enable()`` / ``disable()``)."""
    return override_settings(CELERY_BROKER_URL=url, CELERY_BROKER_TRANSPORT_OPTIONS={}, CELERY_TASK_DEFAULT_QUEUE=queue)


def celery_routing_reset() -> None:
    """Forget the app's connections and its AMQP helper so that a new broker and default queue apply.

    ``app.amqp`` caches the default queue and exchange from the first message sent; kept across a
    queue change (another test module used another queue in this process), messages go to the old
    exchange and never reach this worker's queue.
    """
    app.close()
    app.__dict__.pop("amqp", None)


class ExportWorker:
    """Start/stop/kill a worker; the test process sends its tasks to the same Redis queue."""

    def __init__(self, sandbox_urls: dict[str, str], *, redis_url: str = EXPORT_REDIS_URL) -> None:
        self.sandbox_urls = sandbox_urls
        self.redis_url = redis_url  # broker and limiter store of the worker (a private server in fault tests)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="export-worker-", suffix=".log")[1])
        self._saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_default_queue)
        # A queue of our own on the shared Redis db: other test sessions (other helpers, CI) may run
        # these tests at the same time and must not take each other's tasks.
        self.queue = f"celery-export-{os.getpid()}"
        self._override: override_settings | None = None

    def broker_use(self) -> None:
        """Make this process publish to the worker's broker (drops any cached producer pool)."""
        # Drop leftovers of an aborted earlier run from this process's queue (not the whole db:
        # parallel pytest workers use their own queues on it).
        redis.Redis.from_url(self.redis_url).delete(self.queue)
        app.conf.update(broker_url=self.redis_url, broker_transport_options={}, task_default_queue=self.queue)
        self._override = celery_broker_settings(url=self.redis_url, queue=self.queue)
        self._override.enable()
        celery_routing_reset()

    def log_remove(self) -> None:
        self.log.unlink(missing_ok=True)

    def broker_restore(self) -> None:
        if self._override is not None:
            self._override.disable()
            self._override = None
        app.conf.update(
            broker_url=self._saved[0], broker_transport_options=self._saved[1], task_default_queue=self._saved[2]
        )
        celery_routing_reset()

    def start(
        self, *, concurrency: int = 2, extra_env: dict[str, str] | None = None, beat: bool = False
    ) -> ExportWorker:
        """``beat``: run beat inside the worker (in-memory schedule) for the periodic recovery."""
        cmd = [
            str(Path(sys.executable).parent / "celery"), "-A", "freighttracker", "worker", "-P", "prefork",
            "-c", str(concurrency), "-Q", self.queue,
            "-n", f"export-{os.getpid()}-{time.time_ns()}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
        ]  # fmt: skip
        if beat:
            cmd += ["-B", "--scheduler", "celery.beat:Scheduler"]
        out = self.log.open("ab")
        env = _env(self.sandbox_urls, extra_env or {}, self.queue)
        env["REDIS_URL"] = self.redis_url
        self.proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.output()[-3000:]}")
            if "ready." in self.output():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in 40 s:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool) — no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        # Forget the lost tasks' reservations so nothing replays into a later test.
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(self.redis_url).delete("unacked", "unacked_index")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


class _HasOutput(Protocol):
    def output(self) -> str: ...


def wait_until(predicate: Callable[[], Any], *, timeout: float, what: str, worker: _HasOutput | None = None) -> Any:
    """Poll (the database, usually) until the predicate is truthy; on time-out show the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    tail = worker.output()[-4000:] if worker else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")
