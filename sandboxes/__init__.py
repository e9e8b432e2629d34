"""Development and test tools only: local stand-ins for the accounting systems the product talks to.

Nothing in the product imports this package. Settings add it to ``INSTALLED_APPS`` (for its
management commands) only when a sandbox is enabled (``MYOB_SANDBOX_ENABLED``, default: ``DEBUG``).
"""
