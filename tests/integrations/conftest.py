"""Fixtures of the webhook tests: a real receiver, test-friendly webhook settings, in-process Celery.

Tests that do not start a worker run Celery eagerly (in-process), as ``make run``
does, in both CI passes. The worker tests (``test_worker.py``) switch that off and
talk to a real worker subprocess through Redis.
"""

from __future__ import annotations

import pytest

from organisations.actors import system_actor
from trackyoursheets.celery import app as celery_app

from .receiver import Receiver

#: short delays so the whole schedule (3 retries) takes about 1.4 s
TEST_RETRY_SCHEDULE = [0.2, 0.4, 0.8]


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    """The receiver is plain HTTP on 127.0.0.1: allow both here (SSRF tests switch them off)."""
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_SCHEDULE = TEST_RETRY_SCHEDULE
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """In-process (eager) Celery unless the test module talks to a real worker (``CELERY_EAGER = False``)."""
    eager = getattr(request.module, "CELERY_EAGER", True)
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what would run after commit (the in-process deliveries) at the end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def system(organisation):
    return system_actor(organisation)
