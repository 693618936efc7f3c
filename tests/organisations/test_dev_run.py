"""``make run`` prints the demo facts, not hundreds of task log lines (issue 14 point 10): with the
embedded default (no broker, tasks run in-process) Celery's per-task success lines and kombu's
broker warning are quiet; a failing task still logs."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not settings.CELERY_TASK_ALWAYS_EAGER, reason="only the embedded default runs tasks in-process")
def test_the_demo_seed_runs_its_tasks_without_logging_each_one(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO)  # the root level of `make run`; the loggers keep what settings gave them

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", "--base-url", "http://127.0.0.1:8000", stdout=io.StringIO())

    assert len(callbacks) > 50  # the seed's events were dispatched, in-process
    assert not [r for r in caplog.records if r.name == "celery.app.trace" and r.levelno < logging.WARNING]
    assert not [r for r in caplog.records if r.name == "kombu.connection" and r.levelno < logging.ERROR]
    assert logging.getLogger("celery.app.trace").isEnabledFor(logging.ERROR)  # failures still show
