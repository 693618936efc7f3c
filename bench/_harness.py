"""Shared pieces of the HTTP benchmarks: a PostgreSQL database recreated from scratch, gunicorn
started and stopped in its own process group, a closed-loop load driver (N threads, each on one
keep-alive connection) and its figures (requests/s, p50/p99 latency in ms).

Benchmarks import it as ``from bench._harness import ...`` once the repository root is on
``sys.path`` (each script puts it there first).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
#: the README's gunicorn settings
GUNICORN = ["-w", "4", "-k", "gthread", "--threads", "4"]
#: concurrent keep-alive clients of :func:`drive` unless told otherwise
CLIENTS = 4


def recreate_database(database_url: str) -> None:
    """Drop and create the database of ``database_url`` (through the ``postgres`` database)."""
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# =============================================================================
# Servers
# =============================================================================


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    app: str, port: int, extra_env: dict | None = None, *, options: list[str] | None = None
) -> subprocess.Popen:
    """gunicorn serving ``app`` on 127.0.0.1:``port`` in a new session (see :func:`stop`), with
    :data:`GUNICORN` unless ``options`` are given; returns once the port accepts connections."""
    env = {**os.environ, **(extra_env or {})}
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            app,
            *(GUNICORN if options is None else options),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn {app} did not start")


def stop(process: subprocess.Popen) -> None:
    """Stop a server started by :func:`start_gunicorn` (its whole process group)."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


# =============================================================================
# Load
# =============================================================================


def percentiles(latencies: list[float]) -> dict:
    """p50 (the median) and p99 of latencies in ms (nearest rank, as the recorded figures)."""
    flat = sorted(latencies)
    return {"p50": statistics.median(flat), "p99": flat[min(len(flat) - 1, int(len(flat) * 0.99))]}


def drive(port: int, make_request, seconds: float, clients: int = CLIENTS) -> dict:
    """``clients`` threads, each on one keep-alive connection, for ``seconds``; latencies in ms.

    ``make_request(client, i)`` returns ``(method, path, body, headers)`` for the i-th request
    of that client."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.perf_counter() + seconds

    def run(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = 0
        while time.perf_counter() < stop_at:
            method, path, body, headers = make_request(n, i)
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[n].append((time.perf_counter() - t0) * 1000)
            if response.status >= 400:
                errors[n] += 1
            i += 1
        conn.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for lat in latencies for x in lat]
    return {
        "requests": len(flat),
        "rps": len(flat) / elapsed,
        **percentiles(flat),
        "errors": sum(errors),
    }


def report(name: str, figures: dict) -> None:
    """One line of figures from :func:`drive`."""
    print(
        f"{name:<52} {figures['rps']:8.1f} req/s  p50 {figures['p50']:7.1f} ms  p99 {figures['p99']:7.1f} ms"
        f"  ({figures['requests']} requests, {figures['errors']} errors)"
    )
