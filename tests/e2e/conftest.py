"""Fixtures for the real-browser tests: Debian's Chromium through Playwright, the product on a live
server, a real Celery worker process and the local Xero sandbox over HTTP.

Playwright's own browser download does not work in CI here, so the tests drive ``/usr/bin/chromium``
(``apt-get install chromium``; ``.ci/run`` does it). Override with ``E2E_CHROMIUM``.
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

import pytest
from django.conf import settings
from django.db import connection

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
    """A fresh browser context per test, based at the live server; failures leave a screenshot."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-AU")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.shots = Shots(pg, request.node.name)
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        with contextlib.suppress(Exception):  # a missing screenshot must not hide the failure
            pg.shots("failure")
    context.close()


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


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a worker process needs to see what this test process sees: the test database,
    the same broker (and queue), the same keys and the same Xero endpoints."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env["DATABASE_URL"] = f"postgresql://{db['USER'] or 'postgres'}{password}@{host}:{port}/{db['NAME']}"
    if getattr(settings, "REDIS_URL", ""):
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
        env["CELERY_BROKER_DIR"] = str(Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])).parent)
    env["FERNET_KEYS"] = ",".join(settings.FERNET_KEYS)
    env["SECRET_KEY"] = settings.SECRET_KEY
    env["TESTING"] = "true"
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    for name in dir(settings):
        if name.startswith("XERO_") or name == "SITE_URL":
            value = getattr(settings, name)
            if isinstance(value, str | int | bool):
                env[name] = str(value).lower() if isinstance(value, bool) else str(value)
    env.update(extra or {})
    return env


class Worker:
    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc, self.log = proc, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_start(*, extra_env: dict[str, str] | None = None, concurrency: int = 2) -> Worker:
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS.parent / f"celery-worker-{os.getpid()}.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    cmd = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "freighttracker",
        "worker",
        "-P",
        "prefork",
        "-c",
        str(concurrency),
        "-Q",
        queue,
        "-n",
        f"e2e-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=worker_env(extra_env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{log.read_text(errors='replace')[-3000:]}")
        if "ready." in log.read_text(errors="replace"):
            return Worker(proc, log)
        time.sleep(0.2)
    worker_stop(Worker(proc, log))
    raise RuntimeError(f"Celery worker not ready in 30 s:\n{log.read_text(errors='replace')[-3000:]}")


def worker_stop(worker: Worker) -> None:
    if worker.proc.poll() is None:
        os.killpg(worker.proc.pid, signal.SIGTERM)
        try:
            worker.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.proc.pid, signal.SIGKILL)
            worker.proc.wait(timeout=5)


@pytest.fixture
def celery_worker(transactional_db: None, live_server: Any, xero_endpoints: dict[str, str]) -> Iterator[Worker]:
    """A real `celery worker` process on the test database, the test broker queue and the sandbox."""
    worker = worker_start(extra_env={"SITE_URL": live_server.url, **xero_endpoints})
    yield worker
    worker_stop(worker)


@pytest.fixture
def xero_endpoints(request: pytest.FixtureRequest, settings: Any, live_server: Any) -> dict[str, str]:
    """Point the product (this process and the worker) at the sandbox started by ``xero_sandbox``."""
    try:
        sandbox = request.getfixturevalue("xero_sandbox")
    except pytest.FixtureLookupError:
        pytest.fail("fixture xero_sandbox (integrations/xero/sandbox/pytest_plugin.py) is not available")
    base = sandbox.url.rstrip("/")
    endpoints = {
        "XERO_AUTHORIZE_URL": f"{base}/identity/connect/authorize",
        "XERO_TOKEN_URL": f"{base}/connect/token",
        "XERO_REVOKE_URL": f"{base}/connect/revocation",
        "XERO_CONNECTIONS_URL": f"{base}/connections",
        "XERO_API_URL": f"{base}/api.xro/2.0",
        "XERO_REDIRECT_URI": f"{live_server.url}{CALLBACK_PATH}",
        "SITE_URL": live_server.url,
    }
    for name, value in endpoints.items():
        setattr(settings, name, value)
    return endpoints
