from django.apps import AppConfig


class XeroConfig(AppConfig):
    name = "integrations.xero"
    label = "xero"
    verbose_name = "Xero integration"

    def ready(self) -> None:
        # signals: the export engine keeps the nightly beat entry in sync with XeroSettings.
        # tasks: registered with Celery before its app is finalised. Autodiscovery only finds
        # top-level ``<app>.tasks`` modules, and a shared task first imported after finalisation can
        # miss the registry (NotRegistered: 'xero_export.run' once another task call finalised it).
        from integrations.xero.export import signals, tasks  # noqa: F401
