"""A local, stateful stand-in for Xero (identity + accounting) served over real HTTP.

Start it with ``SandboxServer().start()`` (tests, see ``pytest_plugin``) or
``python manage.py xero_sandbox --port 8765``; drive it from tests with ``SandboxControl``.
"""

from .client import SandboxControl, SandboxControlError
from .seed import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID
from .server import SandboxServer

__all__ = ["DEMO_AU_ORG_ID", "DEMO_NZ_ORG_ID", "SandboxControl", "SandboxControlError", "SandboxServer"]
