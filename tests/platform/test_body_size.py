"""One body-size rule (issue 13 point 2): every /v1/ write refuses a body over ``API_MAX_BODY_BYTES``
with a 413 problem before anything parses it: JSON, multipart and raw bodies alike."""

from __future__ import annotations

import io
import json
import re
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

LIMIT = 2048
WRITES = ("post", "put", "patch", "delete")


@cache
def _mutating_routes() -> list[tuple[str, str]]:
    """(method, path) of every write in the OpenAPI schema, ids filled in."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = []
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in WRITES:
                routes.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return sorted(routes)


@pytest.fixture
def small_limit(settings):
    settings.API_MAX_BODY_BYTES = LIMIT
    return LIMIT


def _assert_413_problem(response):
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/payload-too-large")
    assert body["status"] == 413
    assert body["code"] == "body_too_large"
    assert body["max_body_bytes"] == LIMIT
    assert body["request_id"] and body["request_id"] == response["X-TrackYourSheets-Request-Id"]
    assert body["instance"].endswith(body["request_id"])


def test_every_write_is_in_the_matrix():
    methods = {method for method, _ in _mutating_routes()}
    assert {"POST", "PUT", "PATCH", "DELETE"} <= methods
    assert len(_mutating_routes()) > 40


@pytest.mark.parametrize(("method", "path"), _mutating_routes())
def test_an_oversized_json_body_is_a_413_problem(api, small_limit, method, path):
    body = json.dumps({"notes": "x" * (LIMIT + 1)})

    response = api.generic(method, path, body, content_type="application/json")

    _assert_413_problem(response)


@pytest.mark.parametrize(("method", "path"), _mutating_routes())
def test_an_oversized_multipart_body_is_a_413_problem(api, small_limit, method, path):
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * LIMIT, content_type="text/csv")
    request = {"post": api.post, "put": api.put, "patch": api.patch, "delete": api.delete}[method.lower()]

    response = request(path, {"file": upload}, format="multipart")

    _assert_413_problem(response)


def test_the_limit_is_checked_before_authentication(anonymous_api, small_limit):
    response = anonymous_api.post("/v1/time-entries", "x" * (LIMIT + 1), content_type="text/csv")

    _assert_413_problem(response)


def test_a_body_at_the_limit_goes_through_to_the_view(api, small_limit):
    body = json.dumps({"name": "x" * (LIMIT - 20)})
    assert len(body) <= LIMIT

    response = api.post("/v1/workspaces", body, content_type="application/json")

    assert response.status_code != 413


def _chunked(api, body: str):
    """A POST without Content-Length, as a server passing a chunked body through sends it."""
    return api.generic(
        "POST",
        "/v1/workspaces",
        "",
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(body.encode())},
    )


def test_a_chunked_body_is_read_at_most_to_the_limit(api, small_limit):
    response = _chunked(api, json.dumps({"name": "x" * (LIMIT + 1)}))

    _assert_413_problem(response)


def test_a_short_chunked_body_is_parsed(api, small_limit):
    response = _chunked(api, json.dumps({"name": ""}))

    assert response.status_code == 422
    assert "name" in response.json()["errors"]


def test_request_data_too_big_from_the_parser_is_a_413_not_a_500(api, settings):
    # the middleware's limit above Django's own: the parser's RequestDataTooBig must be a 413 too
    settings.API_MAX_BODY_BYTES = 10 * LIMIT
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT

    response = api.post("/v1/workspaces", json.dumps({"name": "x" * (2 * LIMIT)}), content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/payload-too-large")
