"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 in a thread.

It records every request (headers, raw body, arrival time) and answers from a
script: ``receiver.script(500, 500, 200)`` answers the next three requests so, then
``default``. An answer may also be ``Answer(status, delay=..., headers=...)`` to be
slow or to redirect. ``stop()`` closes the port and every open connection (the
receiver is *down*: connections are refused); ``start()`` brings it back on the
same port.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.time() on arrival

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event_id(self) -> int:
        return self.json["id"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, receiver):
        self.receiver = receiver
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
    disable_nagle_algorithm = True

    def do_POST(self):  # noqa: N802 - http.server naming
        receiver: Receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        received = Received(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            at=time.time(),
        )
        answer = receiver._record(received)
        try:
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            pass  # the client gave up (a timeout, or its worker was killed)
        finally:
            receiver._done()

    def log_message(self, format, *args):  # silence the per-request log lines
        pass


class Receiver:
    def __init__(self, default: Answer | int = 200) -> None:
        self.default = default if isinstance(default, Answer) else Answer(default)
        self.requests: list[Received] = []
        self.port = 0
        self.active = 0
        self.max_active = 0
        self._script: deque[Answer] = deque()
        self._lock = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------

    def start(self) -> Receiver:
        self._server = _Server(("127.0.0.1", self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Down: the port is closed and every open (keep-alive) connection is cut."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with server.connections_lock:
            for connection in list(server.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def script(self, *answers: Answer | int) -> None:
        with self._lock:
            self._script.extend(a if isinstance(a, Answer) else Answer(a) for a in answers)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # -- reading ----------------------------------------------------------------

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` requests arrived (fails the test after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"receiver got {len(self.requests)} requests, expected {count}")
                self._lock.wait(remaining)
            return list(self.requests)

    def event_ids(self) -> list[int]:
        return [r.event_id for r in self.requests]

    # -- called by the handler ----------------------------------------------------

    def _record(self, received: Received) -> Answer:
        with self._lock:
            self.requests.append(received)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            answer = self._script.popleft() if self._script else self.default
            self._lock.notify_all()
            return answer

    def _done(self) -> None:
        with self._lock:
            self.active -= 1
