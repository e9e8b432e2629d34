"""pytest fixtures for the MYOB sandbox: one server per test session (per xdist worker) on a free port,
reset before each test. Registered from the root ``conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .client import SandboxControl
from .seed import DEMO_BUSINESS_ID, LEGACY_BUSINESS_ID
from .server import MyobSandboxServer

SANDBOX_API_KEY = "sandbox-api-key"


@dataclass
class MyobSandboxHandle:
    server: MyobSandboxServer
    base_url: str
    control: SandboxControl
    api_key: str = SANDBOX_API_KEY
    business_id: str = DEMO_BUSINESS_ID
    legacy_business_id: str = LEGACY_BUSINESS_ID

    @property
    def api_url(self) -> str:
        """What ``MyobConfig.api_url`` is for real MYOB: ``https://api.myob.com/accountright``."""
        return f"{self.base_url}/accountright"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/oauth2/account/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth2/v1/authorize"

    def token(self, business_id: str | None = None) -> dict[str, Any]:
        """A fresh token pair for one company file (no browser)."""
        return self.control.issue_token(business_id=business_id or self.business_id, client_id=self.api_key)


@pytest.fixture(scope="session")
def myob_sandbox_server() -> Iterator[MyobSandboxServer]:
    server = MyobSandboxServer(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def myob_sandbox(myob_sandbox_server: MyobSandboxServer) -> Iterator[MyobSandboxHandle]:
    """The session's MYOB sandbox with fresh state and no faults for this test.

    Its 8 calls/second limit is off (a quick test easily makes nine calls in a second); tests about the
    limit turn it on with ``control.config(rate_limits_enabled=True)``.
    """
    myob_sandbox_server.state.reset()
    myob_sandbox_server.state.configure({"rate_limits_enabled": False})
    yield MyobSandboxHandle(
        server=myob_sandbox_server,
        base_url=myob_sandbox_server.base_url,
        control=SandboxControl(myob_sandbox_server.base_url),
    )
    myob_sandbox_server.state.faults.clear()
