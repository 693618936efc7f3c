"""The OpenAPI schema says what the server does (issue 13 point 9), checked over every operation."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from trackyoursheets.api.schema_view import CachedSchemaView

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def schema(client):
    response = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("get", *WRITES):
                yield path, method, operation


def test_every_operation_documents_the_problems_it_can_answer(schema):
    missing = []
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        expected = {"429", "500"}
        if path not in ("/v1/info", "/v1/health"):
            expected |= {"401", "403", "404", "406", "422"}
        if method in WRITES:
            expected |= {"400", "409", "413", "415"}
            if "{" in path:
                expected.add("412")
        if expected - codes:
            missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
    assert not missing, missing


def test_problem_responses_are_problem_json(schema):
    for _path, _method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")) and code != "410":
                assert "application/problem+json" in response.get("content", {}), (code, operation["operationId"])


def test_the_problem_schema_lists_its_extension_members(schema):
    properties = schema["components"]["schemas"]["Problem"]["properties"]
    assert {
        "code",
        "conflicting_entry_id",
        "running_entry_id",
        "errors",
        "total_errors",
        "required_scope",
        "limit",
        "used",
        "max_body_bytes",
        "request_id",
    } <= set(properties)


def test_personal_tokens_are_security_schemes(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["personalToken"] == {**schemes["personalToken"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    for _path, _method, operation in _operations(schema):
        if operation.get("security"):
            names = {name for requirement in operation["security"] for name in requirement}
            assert {"oauth2", "personalToken", "apiKey"} <= names, operation["operationId"]


def test_only_lists_are_described_as_lists(schema):
    wrong = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(schema)
        if operation.get("description", "").startswith("List with the envelope")
        and not (method == "get" and "{" not in path)
    ]
    assert not wrong
    assert schema["paths"]["/v1/workspaces"]["post"]["description"].startswith("Create")
    assert schema["paths"]["/v1/workspaces/{id}"]["patch"]["description"].startswith("Update")


def test_an_optional_email_is_not_format_email(schema):
    assert "format" not in schema["components"]["schemas"]["Employee"]["properties"]["email"]


def test_a_write_documents_its_output_representation(schema):
    created = schema["paths"]["/v1/hr/employees"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/Employee")


def test_the_hr_dashboard_is_one_object(schema):
    response = schema["paths"]["/v1/hr/dashboard"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Dashboard"}


def test_downloads_document_each_file_type(schema):
    content = schema["paths"]["/v1/hr/documents/{id}/download"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "image/png", "image/jpeg", "text/plain"} <= set(content)


def test_the_schema_is_generated_once_per_process(client, monkeypatch):
    CachedSchemaView._cache.clear()
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)

    first = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    second = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    yaml = client.get("/v1/schema")

    assert first.status_code == second.status_code == yaml.status_code == 200
    assert first.content == second.content
    assert len(calls) == 1


def test_redoc_and_swagger_use_the_sidecar(settings):
    assert settings.SPECTACULAR_SETTINGS["REDOC_DIST"] == "SIDECAR"
    assert settings.SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] == "SIDECAR"
