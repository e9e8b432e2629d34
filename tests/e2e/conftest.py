"""Fixtures for the real-browser tests: Debian's Chromium through Playwright, the product on a live
server, a real Celery worker process and the local Xero sandbox over HTTP.

Playwright's own browser download does not work in CI here, so the tests drive ``/usr/bin/chromium``
(``apt-get install chromium``; ``.ci/run`` does it). Override with ``E2E_CHROMIUM``.

Run: ``.venv/bin/pytest tests/e2e`` (needs Redis: db 6 of REDIS_URL's server, or ``E2E_REDIS_URL``).
Screenshots land in ``artifacts/screenshots/``; ``UPDATE_README_SCREENSHOTS=1`` also refreshes the
README's images in ``docs/screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings

from freighttracker.celery import app as celery_app
from freighttracker.env import database_url_from_settings
from integrations.xero.tests.export_worker import celery_broker_settings, celery_routing_reset, wait_until

BASE_DIR = Path(settings.BASE_DIR)
ARTIFACTS = BASE_DIR / "artifacts" / "screenshots"
README_SHOTS = BASE_DIR / "docs" / "screenshots"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CALLBACK_PATH = "/settings/integration/authentication/xero/callback/"


@pytest.fixture
def browser(transactional_db: None, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Chromium for one test. Per test on purpose: Playwright's sync API keeps an asyncio loop in this
    thread while it runs, so it must be gone before pytest-django flushes the database."""
    from playwright.sync_api import sync_playwright

    # While it runs, the test's own ORM calls are still synchronous: lift Django's async guard.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set E2E_CHROMIUM)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Shots:
    """Screenshots of one test: every one into artifacts/screenshots/, chosen ones into docs/screenshots/.

    docs/screenshots/ (shown in the README) is only rewritten when UPDATE_README_SCREENSHOTS=1, so an
    ordinary test run never dirties the working tree.
    """

    def __init__(self, page: Any, test_name: str) -> None:
        self.page = page
        self.prefix = re.sub(r"[^A-Za-z0-9_]+", "_", test_name).strip("_")
        self.count = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{self.prefix}-*.png"):  # an earlier run's shots of this test
            old.unlink()

    def __call__(self, name: str, *, readme: str | None = None, full_page: bool = True) -> Path:
        self.count += 1
        path = ARTIFACTS / f"{self.prefix}-{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        if readme and os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, README_SHOTS / f"{readme}.png")
        return path


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context per test, based at the live server; failures leave a screenshot.

    Every Content-Security-Policy violation the browser reports fails the test: the pages must work
    under the policy (inline scripts, styles and handlers are refused), not merely render.
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-AU")
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    pg = context.new_page()
    pg.shots = Shots(pg, request.node.name)
    pg.csp_violations = []
    pg.on("console", lambda message: _csp_console(pg, message))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        with contextlib.suppress(Exception):  # a missing screenshot must not hide the failure
            pg.shots("failure")
    context.close()
    if pg.csp_violations and not (rep is not None and rep.failed):
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(pg.csp_violations))


# Chromium logs a refused inline script or style to the console; the event also covers what it
# reports without a console line. Both end up in page.csp_violations.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + e.blockedURI
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _csp_console(page: Any, message: Any) -> None:
    if "Content Security Policy" in message.text:
        page.csp_violations.append(f"{page.url}: {message.text}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    rep: Any = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def login(page: Any, email: str, password: str = "pw") -> None:
    """Log in through the real form (fields "username" = email, "password")."""
    page.goto("/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


# --- Celery worker --------------------------------------------------------------------------------


def _e2e_redis_url() -> str:
    """Redis db 6 — this suite's own broker and limiter store (the export engine's tests use db 5) — on
    the server REDIS_URL names (``make test`` may start an embedded one), else on localhost."""
    if os.environ.get("E2E_REDIS_URL"):
        return os.environ["E2E_REDIS_URL"]
    base = urlsplit(getattr(settings, "REDIS_URL", "") or "redis://127.0.0.1:6379/0")
    return urlunsplit((base.scheme, base.netloc, "/6", "", ""))


E2E_REDIS_URL = _e2e_redis_url()


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a worker process needs to see what this test process sees: the test database,
    the same broker (and queue), the same keys and the same Xero endpoints."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            # Unix-socket safe: ``make test`` on a fresh machine runs on the embedded PostgreSQL's socket.
            "DATABASE_URL": database_url_from_settings(connection.settings_dict),
            "REDIS_URL": E2E_REDIS_URL,
            "FERNET_KEYS": ",".join(settings.FERNET_KEYS),
            "SECRET_KEY": settings.SECRET_KEY,
            "TESTING": "true",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "XERO_CLIENT_ID": settings.XERO_CLIENT_ID,
            "XERO_CLIENT_SECRET": settings.XERO_CLIENT_SECRET,
            "XERO_HTTP_TIMEOUT": "5",
        }
    )
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update(extra or {})
    return env


__all__ = ["Worker", "celery_routing_reset", "login", "wait_until"]


class Worker:
    """A real ``celery worker`` process; this process publishes to the same Redis queue."""

    def __init__(self, extra_env: dict[str, str]) -> None:
        self.extra_env = extra_env
        self.proc: subprocess.Popen[bytes] | None = None
        ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
        self.log = ARTIFACTS.parent / f"celery-worker-{os.getpid()}.log"
        conf = celery_app.conf
        self._saved = (conf.broker_url, conf.broker_transport_options, conf.task_default_queue)
        # A queue of our own: other test sessions may use the same Redis db at the same time. The
        # worker's settings derive their default queue (where a run re-enqueues itself) from
        # PYTEST_XDIST_WORKER, so it is given this suffix.
        self.suffix = f"e2e-{os.getpid()}"
        self.queue = f"celery-{self.suffix}"
        self._override: override_settings | None = None

    def broker_use(self) -> None:
        redis.Redis.from_url(E2E_REDIS_URL).delete(self.queue)  # leftovers of an aborted earlier run
        celery_app.conf.update(broker_url=E2E_REDIS_URL, broker_transport_options={}, task_default_queue=self.queue)
        self._override = celery_broker_settings(url=E2E_REDIS_URL, queue=self.queue)
        self._override.enable()
        celery_routing_reset()

    def broker_restore(self) -> None:
        if self._override is not None:
            self._override.disable()
            self._override = None
        celery_app.conf.update(
            broker_url=self._saved[0], broker_transport_options=self._saved[1], task_default_queue=self._saved[2]
        )
        celery_routing_reset()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self, *, concurrency: int = 2, loglevel: str = "INFO") -> Worker:
        cmd = [
            str(Path(sys.executable).parent / "celery"), "-A", "freighttracker", "worker", "-P", "prefork",
            "-c", str(concurrency), "-Q", self.queue, "-n", f"{self.suffix}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", loglevel,
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=BASE_DIR, env={**worker_env(self.extra_env), "PYTEST_XDIST_WORKER": self.suffix},
                stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited early:\n{self.output()[-3000:]}")
            if "ready." in self.output():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Celery worker not ready in 40 s:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


@pytest.fixture
def xero_endpoints(xero_sandbox: Any, settings: Any, live_server: Any) -> dict[str, str]:
    """Point the product (this process and the worker) at the sandbox; the callback at the live server."""
    endpoints = {
        **xero_sandbox.urls(),
        "XERO_REDIRECT_URI": f"{live_server.url}{CALLBACK_PATH}",
        "XERO_INVOICE_LINK": f"{xero_sandbox.base_url}/sandbox/invoices/{{id}}",
        "SITE_URL": live_server.url,
    }
    for name, value in endpoints.items():
        setattr(settings, name, value)
    settings.REDIS_URL = E2E_REDIS_URL
    return endpoints


@pytest.fixture
def celery_worker(transactional_db: None, live_server: Any, xero_endpoints: dict[str, str]) -> Iterator[Worker]:
    """A real `celery worker` process on the test database, Redis db 6 and the sandbox."""
    worker = Worker(xero_endpoints)
    worker.broker_use()
    try:
        yield worker.start()
    finally:
        worker.stop()
        worker.broker_restore()
        connection.close()
