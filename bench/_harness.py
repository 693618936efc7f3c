"""Shared pieces of the HTTP benchmarks: a PostgreSQL database recreated from scratch, gunicorn
started and stopped in its own process group, a closed-loop load driver (N threads, each on one
keep-alive connection) and its figures (requests/s, p50/p99 latency in ms), and a CPU meter
(:class:`CpuMeter`: the CPU time the server's workers and the database's backends spent per
request, which holds still on a busy machine where requests/s does not).

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
from collections.abc import Callable
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
# CPU per request
# =============================================================================

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int | None:
    """utime + stime of ``pid`` (all its threads) in clock ticks; None once it has exited."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), after pid and comm


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (gunicorn's workers under its master)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def database_backends(database_url: str) -> list[int]:
    """The pids of PostgreSQL's client backends connected to ``database_url``'s database (the
    server runs on this machine, so their CPU time is in /proc)."""
    import psycopg

    name = urlparse(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
            " AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """CPU time (user + system, from /proc/<pid>/stat) of the application's processes and of the
    database backends, between :meth:`start` and :meth:`stop`, in ms per request.

    Application: the gunicorn workers of ``server`` (the master only forks and watches). Database:
    the PostgreSQL backends connected to ``database_url``'s database at the end of the window (a
    backend that appears during the window counts from zero; one that exits during it is lost: with
    persistent connections there are none). Other databases' backends (other developers) are not
    counted, so the figure holds still on a shared machine."""

    def __init__(self, server: subprocess.Popen, database_url: str | None = None):
        self.server = server
        self.database_url = database_url

    def _snapshot(self) -> tuple[dict[int, int], dict[int, int]]:
        app = {pid: _cpu_ticks(pid) or 0 for pid in children(self.server.pid)}
        db = {pid: _cpu_ticks(pid) or 0 for pid in database_backends(self.database_url)} if self.database_url else {}
        return app, db

    def start(self) -> None:
        self._before = self._snapshot()

    def stop(self, requests: int) -> dict:
        after = self._snapshot()
        figures = {}
        for name, before, now in (("app", self._before[0], after[0]), ("db", self._before[1], after[1])):
            ticks = sum(value - before.get(pid, 0) for pid, value in now.items())
            figures[f"{name}_cpu_ms"] = ticks / CLOCK_TICKS * 1000 / max(requests, 1)
        return figures


# =============================================================================
# Load
# =============================================================================


def percentiles(latencies: list[float]) -> dict:
    """p50 (the median) and p99 of latencies in ms (nearest rank, as the recorded figures)."""
    flat = sorted(latencies)
    return {"p50": statistics.median(flat), "p99": flat[min(len(flat) - 1, int(len(flat) * 0.99))]}


def drive(
    port: int, make_request: Callable, seconds: float, clients: int = CLIENTS, meter: CpuMeter | None = None
) -> dict:
    """``clients`` threads, each on one keep-alive connection, for ``seconds``; latencies in ms.

    ``make_request(client, i)`` returns ``(method, path, body, headers)`` for the i-th request
    of that client. With a ``meter``, the figures also have ``app_cpu_ms`` and ``db_cpu_ms`` (CPU
    time per request, see :class:`CpuMeter`)."""
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
    if meter is not None:
        meter.start()
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
        **(meter.stop(len(flat)) if meter is not None else {}),
    }


def report(name: str, figures: dict) -> None:
    """One line of figures from :func:`drive`."""
    print(
        f"{name:<52} {figures['rps']:8.1f} req/s  p50 {figures['p50']:7.1f} ms  p99 {figures['p99']:7.1f} ms"
        f"  ({figures['requests']} requests, {figures['errors']} errors)"
    )
    if "app_cpu_ms" in figures:
        print(
            f"{'':<52} CPU per request: application {figures['app_cpu_ms']:5.2f} ms,"
            f" database {figures['db_cpu_ms']:5.2f} ms"
        )
