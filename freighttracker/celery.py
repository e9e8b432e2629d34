"""The Celery application shared by the web process, workers and beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "freighttracker.settings")

app = Celery("freighttracker")
# The default app in every thread, not only the importing one: ``shared_task`` proxies resolve to
# the current app, and a thread without one (runserver, live_server, a test's worker thread) would
# otherwise get Celery's empty fallback app and fail with NotRegistered.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
