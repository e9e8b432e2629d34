"""The export tasks are known to Celery however early its app is finalised.

Celery's autodiscovery only imports top-level ``<app>.tasks`` modules; the export engine's tasks
live in ``integrations.xero.export.tasks``. When something finalised the app before that module was
imported (calling another task, for one), ``export_run_start`` failed with
``NotRegistered: 'xero_export.run'``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import django
django.setup()
from freighttracker.celery import app
app.finalize()  # as the first task call would, before anything imported the export tasks
missing = {"xero_export.run", "xero_export.nightly", "xero_export.recover_stuck"} - set(app.tasks)
print(sorted(missing))
raise SystemExit(1 if missing else 0)
"""


def test_export_tasks_are_registered_when_the_app_is_finalised_first() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "freighttracker.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
