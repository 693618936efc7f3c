"""Benchmark: webhook delivery end to end, from ``record_event`` to a local receiver.

    .venv/bin/python bench/webhooks.py [--events 10000]
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/webhooks.py --worker \
        [--workers 2 --concurrency 8] [--rate 40]

Default (the embedded mode of ``make run``): a throw-away SQLite database and eager
Celery; each event is recorded in its own transaction, as a service does, and
delivered in-process (dispatch, claim, sign, POST, attempt row) when it commits.

``--worker``: a throw-away PostgreSQL database next to ``DATABASE_URL``'s, Redis at
``REDIS_URL`` as broker, and ``--workers`` real Celery worker processes with
``--concurrency`` threads each; the events are recorded as fast as possible while
the workers deliver.

The receiver is a threaded HTTP server on 127.0.0.1 in its own process (answers 200
at once). Prints events/s (recorded events / time from the first record to the last
arrival) and the p50/p99 end-to-end latency (from the start of the recording
transaction to the receiver's arrival). Recording faster than the workers deliver
builds a queue, and the latency then measures the queue; ``--rate`` paces the
recording to measure the steady state instead.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# =============================================================================
# The receiver (own process, so it does not compete with the sender for the GIL)
# =============================================================================


def _receiver_main(port_pipe, results_pipe, expected: int) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Lock, Thread

    arrivals: dict[int, float] = {}
    lock = Lock()
    duplicates = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out without waiting for an ACK

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.time()
            event_id = json.loads(body)["id"]
            with lock:
                if event_id in arrivals:
                    duplicates[0] += 1
                else:
                    arrivals[event_id] = now
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    port_pipe.send(server.server_address[1])
    results_pipe.poll(None)  # the sender says when to report
    results_pipe.recv()
    with lock:
        results_pipe.send((dict(arrivals), duplicates[0]))


def start_receiver(expected: int):
    context = multiprocessing.get_context("spawn")
    port_recv, port_send = context.Pipe(duplex=False)
    results_here, results_there = context.Pipe()
    process = context.Process(target=_receiver_main, args=(port_send, results_there, expected), daemon=True)
    process.start()
    return process, port_recv.recv(), results_here


# =============================================================================
# Set-up
# =============================================================================


WORKER_SETTINGS = """
from trackyoursheets.settings import *  # noqa: F403

WEBHOOKS_ALLOW_INSECURE_URLS = True
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
"""


def create_postgres_database(url: str) -> tuple[str, callable]:
    """A fresh database next to ``url``'s; returns its URL and a function that drops it."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    name = f"tys_bench_{uuid.uuid4().hex[:8]}"
    admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"], "dbname": "postgres"}
    if config.get("PASSWORD"):
        admin["password"] = config["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = url.rsplit("/", 1)[0]
    return f"{base}/{name}", drop


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--worker", action="store_true", help="deliver with real Celery workers through Redis")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (with --worker)")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per worker (with --worker)")
    parser.add_argument(
        "--rate", type=float, default=0, help="record at most this many events per second (default: no limit)"
    )
    args = parser.parse_args()

    receiver, port, results = start_receiver(args.events)
    tmp = tempfile.mkdtemp(prefix="tys-bench-")
    drop_database = None
    workers: list[subprocess.Popen] = []
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["LOG_LEVEL"] = "WARNING"
    if args.worker:
        if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            sys.exit("--worker needs REDIS_URL and a PostgreSQL DATABASE_URL")
        os.environ["DATABASE_URL"], drop_database = create_postgres_database(os.environ["DATABASE_URL"])
        Path(tmp, "bench_worker_settings.py").write_text(WORKER_SETTINGS)
        os.environ["PYTHONPATH"] = os.pathsep.join([tmp, str(ROOT), os.environ.get("PYTHONPATH", "")])
        sys.path.insert(0, tmp)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench_worker_settings"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        for name in ("REDIS_URL", "CELERY_BROKER_URL"):
            os.environ.pop(name, None)
        os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
        os.environ["DJANGO_SETTINGS_MODULE"] = "trackyoursheets.settings"

    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import transaction

        settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
        settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
        call_command("migrate", verbosity=0)

        from integrations.models import WebhookDelivery
        from integrations.services import record_event, webhook_subscription_create
        from organisations import services
        from organisations.actors import system_actor
        from trackyoursheets.celery import app as celery_app

        organisation = services.organisation_create(
            name="Bench Agency", owner_email="owner@bench.test", owner_password=None, plan="scale"
        ).organisation
        actor = system_actor(organisation)
        webhook_subscription_create(actor=actor, url=f"http://127.0.0.1:{port}/hook", topics=["*"])

        if args.worker:
            celery_app.control.purge()
            for n in range(args.workers):
                workers.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "celery",
                            "-A",
                            "trackyoursheets",
                            "worker",
                            "-P",
                            "threads",
                            "-c",
                            str(args.concurrency),
                            "-n",
                            f"bench{n}-{uuid.uuid4().hex[:6]}@%h",
                            "--loglevel",
                            "WARNING",
                            "--without-gossip",
                            "--without-mingle",
                            "--without-heartbeat",
                        ],
                        cwd=ROOT,
                        env=dict(os.environ),
                    )
                )
            deadline = time.monotonic() + 60
            while len(celery_app.control.ping(timeout=0.5) or []) < args.workers:
                if time.monotonic() > deadline:
                    sys.exit("the workers did not start")

        mode = (
            f"{args.workers} Celery workers x {args.concurrency} threads, Redis broker, PostgreSQL"
            if args.worker
            else "eager Celery (in-process), SQLite"
        )
        if args.rate:
            mode += f", recorded at {args.rate:g} events/s"
        print(f"Delivering {args.events} events ({mode}) to http://127.0.0.1:{port}/hook ...", flush=True)
        recorded: dict[int, float] = {}
        started = time.time()
        for n in range(args.events):
            if args.rate:
                time.sleep(max(0.0, started + n / args.rate - time.time()))
            t0 = time.time()
            with transaction.atomic():
                event = record_event(organisation, "organisation.producer.updated", {"id": n, "display_name": f"P{n}"})
            recorded[event.pk] = t0
        recording_done = time.time()

        deadline = time.monotonic() + 600
        while WebhookDelivery.objects.filter(status="delivered").count() < args.events:
            if time.monotonic() > deadline:
                sys.exit("not every event was delivered within 10 minutes")
            time.sleep(0.2)
        results.send("report")
        arrivals, duplicates = results.recv()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        if drop_database is not None:
            from django.db import connections

            connections.close_all()
            drop_database()
        receiver.terminate()

    latencies = [(arrivals[pk] - t0) * 1000 for pk, t0 in recorded.items() if pk in arrivals]
    elapsed = max(arrivals.values()) - started
    print(f"events:            {args.events} recorded, {len(arrivals)} received once, {duplicates} duplicates")
    print(f"recording took:    {recording_done - started:.1f} s")
    rate = len(arrivals) / elapsed
    print(f"throughput:        {rate:,.0f} events/s ({elapsed:.1f} s from first record to last arrival)")
    print(f"latency p50:       {statistics.median(latencies):.1f} ms")
    print(f"latency p99:       {percentile(latencies, 99):.1f} ms")
    print(f"latency max:       {max(latencies):.1f} ms")


if __name__ == "__main__":
    main()
