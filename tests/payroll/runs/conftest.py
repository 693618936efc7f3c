"""Fixtures of the payroll-run tests: a real webhook receiver on 127.0.0.1, webhook settings
that allow it, in-process Celery."""

from __future__ import annotations

import pytest

from tests.integrations.receiver import Receiver
from trackyoursheets.celery import app as celery_app


@pytest.fixture
def webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_SCHEDULE = [0.2, 0.4, 0.8]
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield settings
    celery_app.conf.task_always_eager = before


@pytest.fixture
def receiver(webhook_settings):
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Jobs these tests start (report exports of runs) run in-process, as ``make run`` runs them,
    in every CI pass: with Redis configured they would otherwise wait for a worker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
