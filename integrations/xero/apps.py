from django.apps import AppConfig


class XeroConfig(AppConfig):
    name = "integrations.xero"
    label = "xero"
    verbose_name = "Xero integration"
