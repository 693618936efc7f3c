"""Generic filters, everywhere or refused (issue 13 points 1 and 3), over every list route.

The routes and their row factories are the query-count guard's ``LISTS`` (each app's
``tests/<app>/matrix.py``), so a new list inherits these checks. For each list:

- a query parameter it does not support is a 422 problem naming it and listing the supported ones;
- each generic filter it declares (``workspace_id``, ``office_id``, ``role``, ``status``,
  ``updated_after``, ``created_after``) narrows the result: a value no row has lists nothing, a
  row's own value lists that row (where the filter follows a field path), and of a choice filter's
  values not every one lists every row (a text filter, such as TrackTik's own status words: a row's
  value in any case lists it and not every row);
- numeric filters and page numbers out of range are a 422, never a 500;
- every filter is a parameter of the list in the OpenAPI schema.
"""

from __future__ import annotations

import json
import re

import django_filters
import pytest
from django.urls import resolve

from tests.platform.test_query_counts import LISTS
from trackyoursheets.api.filters import GENERIC_FILTERS

pytestmark = pytest.mark.django_db

URLS = [url for url, _ in LISTS]


def _filterset(url: str):
    view = resolve(url).func
    if view.initkwargs.get("list_filterset_class"):  # an @action listing other rows filters them itself
        return view.initkwargs["list_filterset_class"]
    return view.initkwargs.get("filterset_class", view.cls.filterset_class)  # an @action may have its own


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    rows = response.json()["results"]
    return {row.get("id") or row.get("employee_id") or json.dumps(row, sort_keys=True) for row in rows}


@pytest.mark.parametrize(("url", "make"), LISTS, ids=URLS)
def test_generic_filters_narrow_and_unknown_parameters_are_422(url, make, api, organisation):
    rows = [make(organisation, n) for n in range(2)]
    everything = _ids(api.get(f"{url}?page_size=100"))
    assert everything, f"{url}: the factory's rows are not listed"

    unknown = api.get(f"{url}?no_such_filter=1&colour=red")
    assert unknown.status_code == 422, unknown.content[:300]
    problem = unknown.json()
    assert set(problem["errors"]) == {"colour", "no_such_filter"}
    assert "page_size" in problem["detail"] and "per_page" in problem["detail"]

    filterset = _filterset(url)
    declared = [name for name in GENERIC_FILTERS if filterset is not None and name in filterset.base_filters]
    model = filterset._meta.model if filterset is not None else None
    for name in declared:
        flt = filterset.base_filters[name]
        if isinstance(flt, django_filters.IsoDateTimeFilter):
            assert _ids(api.get(f"{url}?{name}=2099-01-01T00:00:00Z")) == set(), (url, name)
            assert _ids(api.get(f"{url}?{name}=2000-01-01T00:00:00Z&page_size=100")) == everything, (url, name)
        elif isinstance(flt, django_filters.NumberFilter):
            assert _ids(api.get(f"{url}?{name}=987654321")) == set(), (url, name)
            if flt.method is None and model is not None and isinstance(rows[0], model):
                value = model.objects.filter(pk=rows[0].pk).values_list(flt.field_name, flat=True).first()
                if value is not None:
                    listed = _ids(api.get(f"{url}?{name}={value}&page_size=100"))
                    assert rows[0].pk in listed, (url, name)
        elif isinstance(flt, django_filters.ChoiceFilter):
            counts = [len(_ids(api.get(f"{url}?{name}={choice}&page_size=100"))) for choice, _ in flt.extra["choices"]]
            assert min(counts) < len(everything), (url, name, counts)
        elif isinstance(flt, django_filters.CharFilter):  # a status in another system's words (TrackTik's)
            assert _ids(api.get(f"{url}?{name}=no-such-{name}")) == set(), (url, name)
            value = model.objects.filter(pk=rows[0].pk).values_list(flt.field_name, flat=True).first()
            listed = _ids(api.get(f"{url}?{name}={value.lower()}&page_size=100"))
            assert rows[0].pk in listed and listed < everything, (url, name, value)
        else:  # pragma: no cover - a new kind of generic filter needs its check here
            raise AssertionError(f"{url}: no check for {name} ({type(flt).__name__})")


@pytest.mark.parametrize(("url", "make"), LISTS, ids=URLS)
def test_out_of_range_numbers_are_422_never_500(url, make, api, organisation):
    make(organisation, 0)  # nested lists need their parent
    for query in ("page=99999999999999999999", "page=0", "page_size=-1", "page_size=1e400", "page=abc"):
        assert api.get(f"{url}?{query}").status_code == 422, (url, query)
    filterset = _filterset(url)
    numbers = [
        n
        for n, f in (filterset.base_filters.items() if filterset else ())
        if isinstance(f, django_filters.NumberFilter)
    ]
    for name in numbers:
        for value in ("1e400", "99999999999999999999", "1.5", "NaN", "-Infinity"):
            response = api.get(f"{url}?{name}={value}")
            assert response.status_code == 422, (url, name, value, response.content[:300])
    for name in ("created_after", "updated_after"):
        if filterset is not None and name in filterset.base_filters:
            assert api.get(f"{url}?{name}=0163-05-26T13:27:45Z").status_code == 422, (url, name)


def test_every_lists_filters_are_schema_parameters(client):
    response = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = json.loads(response.content)["paths"]
    for url in URLS:
        filterset = _filterset(url)
        if filterset is None:
            continue
        pattern = re.compile("^" + re.sub(r"/\d+", r"/\\{[^/]+\\}", url) + "$")
        [path] = [p for p in paths if pattern.match(p)]
        documented = {p["name"] for p in paths[path]["get"].get("parameters", []) if p["in"] == "query"}
        assert set(filterset.base_filters) <= documented, (url, set(filterset.base_filters) - documented)


def test_every_numeric_query_parameter_of_every_operation_is_bounded(client, api, organisation):
    """Over every GET operation of the schema (lists, reports, search, timers): each integer or
    number query parameter states its range, and a value past it is a 422, never a 500."""
    response = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = json.loads(response.content)["paths"]
    unbounded, answered = [], []
    for path, operations in paths.items():
        for parameter in operations.get("get", {}).get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] != "query" or schema.get("type") not in ("integer", "number"):
                continue
            if "maximum" not in schema and "enum" not in schema:  # a choice of numbers is bounded by its enum
                unbounded.append(f"{path}?{parameter['name']}")
            if "{" in path:  # nested lists: test_out_of_range_numbers_are_422_never_500 reaches them
                continue
            got = api.get(f"{path}?{parameter['name']}={2**64}").status_code
            if got != 422:
                answered.append(f"{path}?{parameter['name']}={2**64}: {got}")
    assert not unbounded, unbounded
    assert not answered, answered
