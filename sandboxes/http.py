"""A threaded stdlib HTTP server for the sandboxes.

Owning the sockets (rather than running a WSGI app) lets a sandbox inject transport faults: an RST
before any answer ("connection reset by peer"), or a committed request whose answer never comes.
An app is any object with ``handle(Request) -> Response``.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .wire import Request, Response

logger = logging.getLogger(__name__)


class App(Protocol):
    def handle(self, request: Request) -> Response: ...


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App, stopping: threading.Event, name: str) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.stopping = stopping
        self.name = name


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests' connection pool expects
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def version_string(self) -> str:
        return self.server.name

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(f"{self.server.name}: " + format, *args)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request(
            method=self.command.upper(),
            path=unquote(split.path) or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self._read_body(),
            base_url=f"http://{host}",
        )
        response = self.server.app.handle(request)
        if response.action == "reset":
            self._reset()
        elif response.action == "hold":
            self._hold(response)
        else:
            self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    def _reset(self) -> None:
        """Abort with a TCP RST: the client sees 'connection reset by peer' and no response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _hold(self, response: Response) -> None:
        """The work is committed; say nothing until the client gives up or the hold ends."""
        self.close_connection = True
        deadline = time.monotonic() + response.hold_seconds
        while time.monotonic() < deadline and not self.server.stopping.is_set():
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.2)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    break  # the client closed its side
            except OSError:
                break
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class ThreadedServer:
    """Serve an app on a background thread (``start()``) or in the foreground (``serve_forever()``)."""

    def __init__(self, app: App, *, host: str = "127.0.0.1", port: int = 0, name: str = "Sandbox/1.0") -> None:
        self.app, self.host, self.port, self.name = app, host, port, name
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _bind(self) -> _HTTPServer:
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self.app, self._stopping, self.name)
        self.port = self._httpd.server_address[1]
        return self._httpd

    def start(self) -> None:
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name=f"sandbox-{self.port}"
        )
        self._thread.start()

    def serve_forever(self, ready: Any = None) -> None:
        """Blocking run; ``ready(port)`` is called once the socket is bound (port 0 = any free port)."""
        httpd = self._bind()
        if ready is not None:
            ready(self.port)
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            self._stopping.set()
            httpd.server_close()

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"
