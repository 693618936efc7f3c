"""A manager's project page (issue 14 point 4): their team's hours and the project total apart,
each against the estimate, for the project and per task; overruns said in words. Figures are
computed by hand from the entries below."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from organisations.actors import Actor
from timetracking import estimates

from .factories import TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 3, 3, 8, 0, tzinfo=datetime.UTC)


def entry(employee, project, task, minutes, slot):
    start = DAY + datetime.timedelta(hours=3 * slot)
    return TimeEntryFactory(
        employee=employee,
        project=project,
        task=task,
        start_time=start,
        end_time=start + datetime.timedelta(minutes=minutes),
        duration_seconds=minutes * 60,
    )


@pytest.fixture
def tracked(project, employee, colleague, manager, londoner):
    """Estimate 10 h. Team (New York: Eli, Cleo, Morgan) 2 + 1.5 + 0.5 = 4 h; Lou (London) 2.5 h
    on Homepage and 1 h on no task; Eli's running timer counts nowhere. Project total 7.5 h.
    Homepage (estimate 3 h): team 2 h, total 4.5 h -> over by 1.5 h. Checkout (5 h): 2 h both."""
    homepage = TaskFactory(project=project, name="Homepage", estimated_hours=Decimal("3.00"))
    checkout = TaskFactory(project=project, name="Checkout", estimated_hours=Decimal("5.00"))
    entry(employee, project, homepage, 120, 0)
    entry(colleague, project, checkout, 90, 1)
    entry(manager, project, checkout, 30, 2)
    entry(londoner, project, homepage, 150, 3)
    entry(londoner, project, None, 60, 4)
    TimeEntryFactory(employee=employee, project=project, task=homepage, start_time=DAY, end_time=None)
    return homepage, checkout


def figures(html: str, marker: str) -> str:
    match = re.search(rf"<[^>]*{marker}[^>]*>(.*?)</p>", html, re.S)
    assert match, marker
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def task_row(html: str, task) -> str:
    match = re.search(rf'<tr data-task="{task.pk}"([^>]*)>(.*?)</tr>', html, re.S)
    assert match
    return match.group(1) + " " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()


def test_the_manager_sees_their_team_and_the_project_total_apart(session_client, manager, project, tracked):
    homepage, checkout = tracked

    html = session_client(manager.membership).get(f"/app/time/projects/{project.pk}").content.decode()

    assert figures(html, "data-project-total") == "Project total (everyone) 7.50 75% used"
    assert figures(html, "data-team-total") == "Your team 4.00 40% used"
    assert task_row(html, homepage) == ' class="is-over" Homepage To do 2.00 4.50 3.00 ⚠ Over the estimate by 1.50 h'
    assert task_row(html, checkout) == " Checkout To do 2.00 2.00 5.00 40% used"
    assert "Lou" not in html  # the total counts London's hours, the per-person table stays the team's


def test_an_overrun_project_is_highlighted_in_words(session_client, manager, project, tracked):
    project.estimated_hours = Decimal("6.00")
    project.save()

    html = session_client(manager.membership).get(f"/app/time/projects/{project.pk}").content.decode()

    assert figures(html, "data-project-total") == "Project total (everyone) 7.50 ⚠ Over the estimate by 1.50 h"
    assert 'class="stat stat-over" data-project-total' in html
    assert figures(html, "data-team-total") == "Your team 4.00 66% used"
    assert 'class="stat" data-team-total' in html


def test_an_admin_sees_the_total_alone(session_client, admin, project, tracked):
    homepage, _checkout = tracked

    html = session_client(admin.membership).get(f"/app/time/projects/{project.pk}").content.decode()

    assert figures(html, "data-project-total") == "Project total (everyone) 7.50 75% used"
    assert "data-team-total" not in html and "Your team" not in html
    assert task_row(html, homepage) == ' class="is-over" Homepage To do 4.50 3.00 ⚠ Over the estimate by 1.50 h'


def test_each_figure_is_one_aggregate_query(manager, project, tracked, django_assert_num_queries):
    homepage, checkout = tracked
    actor = Actor(organisation=project.organisation, membership=manager.membership, kind="session")

    with django_assert_num_queries(1):
        whole = estimates.project_hours_against_estimate(actor=actor, project=project)
    with django_assert_num_queries(1):
        by_task = estimates.task_hours_against_estimate(actor=actor, project=project, tasks=[homepage, checkout])

    assert (whole.total.hours, whole.team.hours, whole.total.over) == (Decimal("7.50"), Decimal("4.00"), None)
    assert [(r.team.hours, r.total.hours, r.total.over) for r in by_task] == [
        (Decimal("2.00"), Decimal("4.50"), Decimal("1.50")),
        (Decimal("2.00"), Decimal("2.00"), None),
    ]
