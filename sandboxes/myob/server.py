"""``MyobSandboxServer``: the MYOB sandbox on a background thread, e.g. ``MyobSandboxServer().start().base_url``."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sandboxes.http import ThreadedServer

from .app import SandboxApp
from .client import SandboxControl
from .state import FaultRule, SandboxState


class MyobSandboxServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, **config: Any) -> None:
        self.state = SandboxState(**config)
        self.app = SandboxApp(self.state)
        self._server = ThreadedServer(self.app, host=host, port=port, name="MyobSandbox/1.0")

    def start(self) -> MyobSandboxServer:
        self._server.start()
        return self

    def serve_forever(self, ready: Any = None) -> None:
        self._server.serve_forever(ready)

    def stop(self) -> None:
        self._server.stop()

    # In-process switches (same effect as the control API, without HTTP).

    def reset(self) -> None:
        self.state.reset()

    def configure(self, **values: Any) -> dict[str, Any]:
        return self.state.configure(values)

    def add_fault(self, kind: str, **rule: Any) -> dict[str, Any]:
        return vars(self.state.faults.add(FaultRule.from_dict({"kind": kind, **rule})))

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def control(self) -> SandboxControl:
        return SandboxControl(self.base_url)

    def __enter__(self) -> MyobSandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
