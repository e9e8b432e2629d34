from django.apps import AppConfig


class SandboxesConfig(AppConfig):
    """Dev-only app: carries the ``myob_sandbox`` command; installed only when a sandbox is enabled."""

    name = "sandboxes"
    verbose_name = "Local sandboxes (development and tests only)"
