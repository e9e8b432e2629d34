"""A product ``MyobClient`` wired to the sandbox with a real token store stand-in (rotating refresh over HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import requests

from integrations.myob.client import MyobClient, MyobConfig
from sandboxes.myob.pytest_plugin import MyobSandboxHandle


@dataclass
class TokenBox:
    """What the real token store will do (locked, rotating refresh); here a plain holder over real HTTP."""

    sandbox: MyobSandboxHandle
    access: str
    refresh: str
    refreshes: int = 0
    refused: list[str] = field(default_factory=list)

    def get(self) -> str:
        return self.access

    def refresh_now(self) -> str:
        form = {
            "client_id": self.sandbox.api_key,
            "client_secret": "s",
            "refresh_token": self.refresh,
            "grant_type": "refresh_token",
        }
        response = requests.post(self.sandbox.token_url, data=form, timeout=10)
        response.raise_for_status()
        token = response.json()
        self.access, self.refresh = token["access_token"], token["refresh_token"]
        self.refreshes += 1
        return self.access


def make_client(
    sandbox: MyobSandboxHandle,
    *,
    business_id: str | None = None,
    read_timeout: float = 10.0,
    cftoken: str | None = None,
) -> tuple[MyobClient, TokenBox]:
    business_id = business_id or sandbox.business_id
    token = sandbox.token(business_id)
    box = TokenBox(sandbox, token["access_token"], token["refresh_token"])
    config = MyobConfig(
        api_url=sandbox.api_url,
        api_key=sandbox.api_key,
        connect_timeout=5.0,
        read_timeout=read_timeout,
        cftoken=cftoken,
    )
    client = MyobClient(config=config, business_id=business_id, access_token=box.get, refresh_token=box.refresh_now)
    return client, box


@pytest.fixture
def myob_client(myob_sandbox: MyobSandboxHandle) -> tuple[MyobClient, TokenBox]:
    return make_client(myob_sandbox)
