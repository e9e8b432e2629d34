"""A local, stateful stand-in for the MYOB Business (AccountRight Live) API v2: dev and tests only."""

from .seed import DEMO_BUSINESS_ID, LEGACY_BUSINESS_ID
from .server import MyobSandboxServer

__all__ = ["DEMO_BUSINESS_ID", "LEGACY_BUSINESS_ID", "MyobSandboxServer"]
