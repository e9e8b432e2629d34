"""pytest fixtures for the Xero sandbox: one server per test session (per xdist worker), reset per test.

Registered from the root ``conftest.py`` with ``pytest_plugins = ["integrations.xero.sandbox.pytest_plugin"]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .client import SandboxControl
from .seed import DEMO_AU_ORG_ID, DEMO_NZ_ORG_ID
from .server import SandboxServer


@dataclass
class SandboxHandle:
    server: SandboxServer
    base_url: str
    control: SandboxControl
    au_org_id: str = DEMO_AU_ORG_ID
    nz_org_id: str = DEMO_NZ_ORG_ID

    @property
    def url(self) -> str:
        """Alias of ``base_url``."""
        return self.base_url

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api.xro/2.0"

    def urls(self) -> dict[str, str]:
        """The XERO_* settings that point the product at this sandbox."""
        return {
            "XERO_AUTHORIZE_URL": f"{self.base_url}/identity/connect/authorize",
            "XERO_TOKEN_URL": f"{self.base_url}/connect/token",
            "XERO_REVOKE_URL": f"{self.base_url}/connect/revocation",
            "XERO_CONNECTIONS_URL": f"{self.base_url}/connections",
            "XERO_API_URL": self.api_url,
        }


@pytest.fixture(scope="session")
def xero_sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def xero_sandbox(xero_sandbox_server: SandboxServer) -> Iterator[SandboxHandle]:
    """The session's sandbox with fresh state, default config and no faults for this test."""
    xero_sandbox_server.state.reset()
    yield SandboxHandle(
        server=xero_sandbox_server,
        base_url=xero_sandbox_server.base_url,
        control=SandboxControl(xero_sandbox_server.base_url),
    )
    xero_sandbox_server.state.faults.clear()


@pytest.fixture
def xero_sandbox_settings(settings: Any, xero_sandbox: SandboxHandle) -> Any:
    """Django settings pointing every Xero endpoint at the sandbox (pytest-django's ``settings``)."""
    for name, value in xero_sandbox.urls().items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def xero_sandbox_sdk(xero_sandbox: SandboxHandle) -> Any:
    """Real xero-python clients (accounting, identity, token) holding a fresh grant for both demo orgs."""
    from .testing import sdk_clients

    return sdk_clients(xero_sandbox.base_url, xero_sandbox.control.issue_token())
