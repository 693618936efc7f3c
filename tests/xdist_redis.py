"""One Redis database per pytest-xdist worker (a pytest plugin: ``-p tests.xdist_redis`` in pytest.ini).

With ``REDIS_URL=redis://127.0.0.1:6379/15`` and ``pytest -n 2`` (CI's PostgreSQL + Redis pass),
worker ``gw0`` uses database 15 and ``gw1`` database 14: worker ``gwN`` uses the database of
``REDIS_URL`` minus N, so the URL names the highest of the databases the run uses. Each worker
then has its own cache, rate-limit counters and Celery queues (a purge or ``tys:rl:*`` clean-up in
one worker never touches the other's), as it has its own test database (``test_<name>_gwN``).

The environment is rewritten before pytest-django loads the settings (this hook runs first), so
``settings.REDIS_URL``, the cache, ``CELERY_BROKER_URL`` and every process a test starts (a Celery
worker, gunicorn: they inherit the environment or are given ``settings.REDIS_URL``) agree.
``CELERY_BROKER_URL``, when set to a Redis URL, moves the same way. Without xdist (no
``PYTEST_XDIST_WORKER``) or without ``REDIS_URL`` nothing changes; the settings module itself knows
nothing of this.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

#: the variables that name a Redis database (trackyoursheets/settings.py)
URL_VARIABLES = ("REDIS_URL", "CELERY_BROKER_URL")


def worker_index() -> int | None:
    """0 for ``gw0``, 1 for ``gw1``...; None outside a pytest-xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def url_for_worker(url: str, index: int) -> str:
    """The Redis URL of worker ``index``: its database number lowered by ``index``."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url  # another broker (e.g. AMQP): not a Redis database
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise pytest.UsageError(f"cannot read the Redis database number of {url!r}")
    database = (int(path) if path else 0) - index
    if database < 0:
        raise pytest.UsageError(
            f"pytest-xdist worker gw{index} would use Redis database {database}: worker gwN uses the database "
            f"of {url!r} minus N, so name a database at least as high as the number of workers minus one"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests() -> None:
    index = worker_index()
    if not index:  # no xdist, or gw0: the database of the URL itself
        return
    for name in URL_VARIABLES:
        if os.environ.get(name):
            os.environ[name] = url_for_worker(os.environ[name], index)
