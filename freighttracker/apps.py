"""The project's own app config: registers every app's Celery tasks at Django start-up."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class FreightTrackerConfig(AppConfig):
    name = "freighttracker"
    verbose_name = "Freight TMS"

    def ready(self) -> None:
        # Celery's autodiscovery imports ``<app>.tasks`` only when a worker starts. In a web process
        # (or a test) something can finalise the Celery app first, and a shared task whose module is
        # imported later may miss the registry: ``NotRegistered: 'uploads.check'`` under the full
        # suite. Importing every installed app's ``tasks`` here, as Django does for ``admin``,
        # registers them all before anything can finalise the app, in every process.
        autodiscover_modules("tasks")
