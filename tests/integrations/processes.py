"""Real processes for the PostgreSQL + Redis delivery tests: a Celery worker, Celery beat,
a gunicorn server and (to stop a broker for real) a private redis-server.

They run on the test database (``connection.settings_dict["NAME"]``) with the settings
of :mod:`tests.integrations.worker_settings`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"


def process_env(broker_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integrations.worker_settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        **extra,
    }


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Process:
    """A child process group we can stop gently, or kill as a crash would."""

    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        self.args, self.env, self.name = args, env, name
        # the child writes to it for its whole life, so no context manager (it outlives __init__)
        self.log = tempfile.NamedTemporaryFile(prefix=f"tys-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.popen = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self, timeout: float = 15) -> None:
        if not self.running:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole group: no cleanup, no acknowledgement, as when a machine dies."""
        if self.running:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


class CeleryWorker(Process):
    def __init__(self, broker_url: str, concurrency: int = 4, **extra_env: str) -> None:
        self.node = f"tys-test-{uuid.uuid4().hex[:8]}@127.0.0.1"
        self.broker_url = broker_url
        super().__init__(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "trackyoursheets",
                "worker",
                "-P",
                "threads",
                "-c",
                str(concurrency),
                "-n",
                self.node,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            process_env(broker_url, **extra_env),
            "worker",
        )

    def start(self, wait: bool = True) -> CeleryWorker:
        super().start()
        if wait:
            wait_until(lambda: "ready." in self.output() or not self.running, 60, "the Celery worker")
            assert self.running, self.output()
        return self


class CeleryBeat(Process):
    def __init__(self, broker_url: str) -> None:
        schedule = Path(tempfile.mkdtemp(prefix="tys-beat-")) / "schedule"
        super().__init__(
            [PYTHON, "-m", "celery", "-A", "trackyoursheets", "beat", "-s", str(schedule), "--loglevel", "INFO"],
            process_env(broker_url),
            "beat",
        )


class Gunicorn(Process):
    def __init__(self, broker_url: str) -> None:
        self.port = free_port()
        super().__init__(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "trackyoursheets.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            process_env(broker_url),
            "gunicorn",
        )

    def start(self) -> Gunicorn:
        import httpx

        super().start()

        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/v1/info", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, 30, "gunicorn")
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class RedisServer(Process):
    """A private, throw-away Redis (no persistence) that a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        super().__init__(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            dict(os.environ),
            "redis",
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        super().start()

        def up() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_until(up, 10, "redis-server")
        return self
