"""Every app's Celery tasks are known to the app however early it is finalised.

Celery's autodiscovery runs when a worker starts; in a web or test process that finalised the app
before a task module was imported, the task was missing (``NotRegistered: 'uploads.check'`` in the
full suite, as ``xero_export.run`` was earlier).
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import json
import django
django.setup()
from freighttracker.celery import app
app.finalize()  # as the first task call would
before = {name for name in app.tasks if not name.startswith("celery.")}
from django.utils.module_loading import autodiscover_modules
autodiscover_modules("tasks")  # every app's tasks module, imported only now
after = {name for name in app.tasks if not name.startswith("celery.")}
print(json.dumps({"missing": sorted(after - before), "known": sorted(before)}))
"""


def test_every_apps_tasks_are_registered_before_the_app_is_finalised() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "freighttracker.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout.strip().splitlines()[-1]
    assert '"missing": []' in report, report
    for name in ("uploads.check", "outbox.email_deliver", "invoicing.raise_run", "xero_export.run"):
        assert name in report
