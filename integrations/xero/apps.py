from django.apps import AppConfig


class XeroConfig(AppConfig):
    name = "integrations.xero"
    label = "xero"
    verbose_name = "Xero integration"

    def ready(self) -> None:
        # The export engine keeps the nightly beat entry in sync with XeroSettings.
        from integrations.xero.export import signals  # noqa: F401
