"""The dev run and its documentation (issue 14 point 10). ``make run`` prints the demo facts,
embedded default (no broker, tasks run in-process) Celery's per-task success lines and kombu's
broker warning are quiet; a failing task still logs."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from hr.models import Complaint, Employee, HRDocument
from organisations.models import Office, Organisation, Producer, Workspace
from payroll.models import Carrier, CommissionRuleSet, CommissionTransaction, Policy
from timetracking.models import Client, Project, Task, TimeEntry

pytestmark = pytest.mark.django_db


def test_the_demo_seed_runs_its_tasks_without_logging_each_one(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO)  # the root level of `make run`; the loggers keep what settings gave them
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # with a broker, workers log their own tasks: errors still show
        assert logging.getLogger("celery.app.trace").isEnabledFor(logging.ERROR)
        return

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", "--base-url", "http://127.0.0.1:8000", stdout=io.StringIO())

    assert len(callbacks) > 50  # the seed's events were dispatched, in-process
    assert not [r for r in caplog.records if r.name == "celery.app.trace" and r.levelno < logging.WARNING]
    assert not [r for r in caplog.records if r.name == "kombu.connection" and r.levelno < logging.ERROR]
    assert logging.getLogger("celery.app.trace").isEnabledFor(logging.ERROR)  # failures still show


def test_the_readme_demo_table_matches_what_is_seeded():
    """Issue 14 point 10: the README's demo table says what ``seed_demo`` really creates."""
    call_command("seed_demo", stdout=io.StringIO())
    organisation = Organisation.objects.get(slug="demo")
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    table = readme.split("| what | rows |", 1)[1].split("\n\n", 1)[0]

    def said(pattern: str) -> int:
        return int(re.search(pattern, table).group(1))

    assert said(r"(\d+) carriers") == Carrier.objects.for_organisation(organisation).count()
    assert said(r"(\d+) commission rule set") == CommissionRuleSet.objects.for_organisation(organisation).count()
    assert said(r"(\d+) policies") == Policy.objects.for_organisation(organisation).count()
    assert said(r"(\d+) commission lines") == CommissionTransaction.objects.for_organisation(organisation).count()
    assert said(r"(\d+) clients") == Client.objects.for_organisation(organisation).count()
    assert said(r"(\d+) projects") == Project.objects.for_organisation(organisation).count()
    assert said(r"(\d+) tasks") == Task.objects.for_organisation(organisation).count()
    assert said(r"(\d+) time entries") == TimeEntry.objects.for_organisation(organisation).count()
    assert said(r"(\d+) employees") == Employee.objects.for_organisation(organisation).count()
    assert (
        said(r"the (\d+) members")
        == Employee.objects.for_organisation(organisation).filter(membership__isnull=False).count()
    )
    assert said(r"(\d+) published handbook") == HRDocument.objects.for_organisation(organisation).count()
    assert said(r"(\d+) ticket") == Complaint.objects.for_organisation(organisation).count()
    for office in Office.objects.for_organisation(organisation):
        assert f"{office.name} ({office.timezone})" in table
    for workspace in Workspace.objects.for_organisation(organisation):
        assert workspace.name in table
    for producer in Producer.objects.for_organisation(organisation):
        assert f"{producer.producer_code} {producer.display_name}" in table
