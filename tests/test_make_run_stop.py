"""Stopping ``make run`` with Ctrl-C (issue 8): the Celery worker gets a warm shutdown and exits 0;
make says the demo stopped instead of failing with "Error 143"."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from freighttracker import devrun
from freighttracker.env import database_url_from_settings

ROOT = Path(settings.BASE_DIR)


def _procfile(name: str) -> str:
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} in Procfile.dev")


@pytest.mark.django_db
def test_the_demo_worker_stops_with_a_warm_shutdown_when_its_group_gets_sigterm(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_from_settings(connection.settings_dict),
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),  # the filesystem broker of make run, in a folder of its own
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name in ("REDIS_URL", "PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        # As honcho runs it: through sh, in a session of its own.
        proc = subprocess.Popen(
            ["/bin/sh", "-c", _procfile("worker")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "worker not ready in 60 s"
            time.sleep(0.2)

        os.killpg(proc.pid, signal.SIGTERM)  # what honcho does to every process on Ctrl-C
        rc = proc.wait(timeout=devrun.GRACE_SECONDS)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    text = log.read_text(errors="replace")
    assert rc == 0, text[-3000:]
    assert "Warm shutdown" in text
    assert "exited with 'signal 15" not in text  # the pool's processes were not shot under it


def test_make_run_treats_ctrl_c_as_the_way_to_stop_and_waits_for_a_clean_shutdown() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nrun:") : makefile.index("\ntest:")]

    assert "python -m freighttracker.devrun start -f Procfile.dev" in recipe
    assert re.search(r"rc -eq 130 \] \|\| \[ \$\$rc -eq 143", recipe)
    assert devrun.GRACE_SECONDS > 5  # honcho's own KILL_WAIT


def test_devproc_restart_brings_back_a_command_that_dies_and_stops_on_sigterm(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    # A stand-in worker: it records each start, then dies on its first start and runs on the later ones.
    script = f'echo x >> {starts}; [ "$(wc -l < {starts})" -gt 1 ] && exec sleep 60; exit 3'
    proc = subprocess.Popen(
        [sys.executable, "-m", "freighttracker.devproc", "--restart", "/bin/sh", "-c", script],
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not (starts.exists() and len(starts.read_text().splitlines()) >= 2):
            assert proc.poll() is None, "devproc gave up after the first exit"
            assert time.monotonic() < deadline, "the dead command was not started again"
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGTERM)  # Ctrl-C under honcho
        rc = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert rc == 0
    assert len(starts.read_text().splitlines()) == 2  # stopped, not restarted again
