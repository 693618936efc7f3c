"""The list of time entries writes its count and its page from one compilation of the filters on
PostgreSQL (issue 13 point 14): whatever the filters, the page is the one the ORM reads, in the
selector's order, each entry as its detail renders it; without a join of the filters' own, the
statements are the very SQL the ORM writes (with one, the same joins, in an order that can differ:
the ORM places a join where a filter first named it, even one it then trimmed, as project_id's)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from organisations.actors import system_actor
from timetracking import selectors
from timetracking.api.serializers import TimeEntryListPage
from timetracking.api.serializers.entries import _page_values
from timetracking.filters import TimeEntryFilterSet

from .factories import TaskFactory, TimeEntryFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC

QUERIES = [
    "",
    "include_active=true",
    "project_id={project}",
    "employee_id={employee}&billable=true",
    "start_date=2026-01-02&end_date=2026-01-05",  # joins the employees for their offices' time zones
    "start_date=2026-01-02T00:00:00Z&paid=false",
    "client_id={client}",  # joins the projects
    "tags=a&source=manual",
    "workspace_id=1",
    "task_id={task}&page=2&page_size=2",
]


@pytest.fixture
def entries(organisation, employee, londoner, project):
    task = TaskFactory(project=project)
    start = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    made = [
        TimeEntryFactory(
            employee=employee if n % 3 else londoner,
            project=project,
            task=task if n % 2 else None,
            start_time=start + datetime.timedelta(hours=20 * n),
            end_time=start + datetime.timedelta(hours=20 * n + 1) if n != 9 else None,
            billable=bool(n % 2),
            paid=n % 4 == 0,
            tags="a,b" if n % 2 else "",
            source="manual",
        )
        for n in range(10)
    ]
    return {"employee": employee.pk, "project": project.pk, "client": project.client_id, "task": task.pk}, made


@pytest.mark.parametrize("query", QUERIES)
def test_a_filtered_page_is_the_orms_page_rendered_as_the_details(api, organisation, entries, query):
    ids, _made = entries
    query = query.format(**ids)
    params = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    page, size = int(params.pop("page", 1)), int(params.pop("page_size", 25))
    expected = selectors.time_entry_list(actor=system_actor(organisation), filters=params)

    listed = api.get(f"/v1/time-entries?{query}")

    assert listed.status_code == 200, listed.json()
    body = listed.json()
    assert body["pagination"]["total"] == expected.count()
    want = list(expected.values_list("pk", flat=True)[(page - 1) * size : page * size])
    assert [row["id"] for row in body["results"]] == want
    for row in body["results"]:
        assert row == api.get(f"/v1/time-entries/{row['id']}").json()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-compilation path is PostgreSQL's")
@pytest.mark.parametrize("query", ["", "employee_id={employee}&billable=true", "tags=a", "workspace_id=1"])
def test_without_joins_of_their_own_the_statements_are_the_orms(organisation, entries, query):
    ids, _made = entries
    params = dict(pair.split("=", 1) for pair in query.format(**ids).split("&") if pair)
    queryset = selectors.time_entry_list(actor=system_actor(organisation), filters=params).select_related(None)
    listed = TimeEntryListPage(queryset)
    assert listed._statements is not None

    ours, orm = [], []
    with connection.execute_wrapper(_recorder(ours)):
        total, rows = listed.count(), listed[1:3]
    with connection.execute_wrapper(_recorder(orm)):
        orm_total = queryset.count()
        orm_rows = TimeEntryListPage.rows.render(_page_values(queryset)[1:3], instants_as_text=True)

    assert ours == orm  # the statements' text and parameters, before binding
    assert (total, rows) == (orm_total, orm_rows)


def _recorder(into: list):
    def record(execute, sql, params, many, context):
        into.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    return record


def test_a_list_that_gives_no_filter_is_filtered_as_an_empty_form_filters_it(api, organisation, entries):
    """Without a filter in the query string the filter form is not built per request: the
    cleaned data of an empty form, cleaned once per class (issue 13 point 14). The running
    timer stays out (include_active's empty value) and every finished entry is listed."""
    _ids, made = entries
    filterset = TimeEntryFilterSet(data={"page_size": "5"}, organisation=organisation)
    assert filterset.use_form_of_nothing_given()
    real = TimeEntryFilterSet.get_form_class(filterset)({"page_size": "5"})
    assert real.is_valid() and filterset.form.cleaned_data == real.cleaned_data
    assert not TimeEntryFilterSet(data={"paid": "false"}, organisation=organisation).use_form_of_nothing_given()

    listed = api.get("/v1/time-entries?page_size=100").json()["results"]

    assert [row["id"] for row in listed] == sorted(
        (e.pk for e in made if e.end_time is not None),
        key=lambda pk: -next(e.start_time for e in made if e.pk == pk).timestamp(),
    )


@pytest.mark.parametrize(
    "data",
    [
        {"project_id": "3", "start_date": "2026-01-02", "end_date": "2026-01-05", "page_size": "100"},
        {"paid": "false", "tags": "a,b", "include_active": "true"},
        {"start_date": "2026-01-02T00:00:00Z", "billable": "true", "source": "manual"},
        {"project_id": "x", "end_date": "2026-13-40", "paid": "false"},  # two bad values
        {"employee_id": "99999999999999999999"},  # beyond bigint
    ],
)
def test_a_list_that_gives_some_filters_cleans_only_those_as_the_whole_form_would(organisation, data):
    """With some filters in the query string only their fields are built and cleaned; every other
    filter takes the empty form's value: the cleaned data and the errors are the whole form's."""
    filterset = TimeEntryFilterSet(data=data, organisation=organisation)
    assert not filterset.use_form_of_nothing_given()
    assert filterset.use_form_of_given_filters()
    whole = TimeEntryFilterSet.get_form_class(filterset)(data)
    whole.is_valid()

    assert filterset.is_valid() == whole.is_valid()
    assert filterset.errors == whole.errors
    if whole.is_valid():
        assert filterset.form.cleaned_data == whole.cleaned_data
        assert list(filterset.form.cleaned_data) == list(whole.cleaned_data)  # the filters' order
