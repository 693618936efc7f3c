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


def test_every_operation_has_a_description_of_its_own(schema):
    """No operation inherits another's text or is described by its name alone (issue 13 point 9)."""
    seen: dict[str, str] = {}
    poor, shared = [], []
    for path, method, operation in _operations(schema):
        text = operation.get("description", "").split("\n\nRequired scope")[0]
        where = f"{method.upper()} {path}"
        if len(text.split()) < 4 or text.startswith("``") or ":class:" in text:
            poor.append(f"{where}: {text!r}")
        if text in seen:
            shared.append(f"{where} and {seen[text]}")
        seen.setdefault(text, where)
    assert not poor, poor
    assert not shared, shared
    assert schema["paths"]["/v1/time-entries"]["post"]["description"].startswith("Create a time entry")
    assert schema["paths"]["/v1/hr/complaints"]["post"]["description"].startswith("Create an HR ticket")
    assert "envelope" not in schema["paths"]["/v1/hr/dashboard"]["get"]["description"]  # one object, not a list
    assert "Archive a project" in schema["paths"]["/v1/projects/{id}"]["delete"]["description"]


def test_a_read_documents_its_304(schema):
    assert "304" in schema["paths"]["/v1/workspaces/{id}"]["get"]["responses"]
    assert "304" in schema["paths"]["/v1/time-entries/{id}"]["get"]["responses"]


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


# ---------------------------------------------------------------------------------------------
# Choices are enums, bounded text has maxLength (issue 13 points 3 and 9), over every component
# ---------------------------------------------------------------------------------------------

#: writable strings bounded otherwise than by a length: the CSV text of a time import (the body-size limit)
UNBOUNDED_INPUTS = {("TimeImportCsvInputRequest", "csv"), ("TimeImportCsvInputRequest", "data")}

_GENERATED: list = []


def _generated():
    """The schema as the server publishes it, with the generator whose registry knows each
    component's serializer (generated once for these tests)."""
    if not _GENERATED:
        generator = SchemaGenerator()
        _GENERATED.append((generator, generator.get_schema(request=None, public=True)))
    return _GENERATED[0]


def _resolve(schema, prop) -> list[dict]:
    """The schemas a property stands for: through ``$ref``, ``allOf``/``oneOf``/``anyOf``."""
    if "$ref" in prop:
        return _resolve(schema, schema["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]])
    parts = [prop]
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in prop.get(key, ()):
            parts += _resolve(schema, sub)
    return parts


def _enum_of(schema, prop) -> set | None:
    enums = [part["enum"] for part in _resolve(schema, prop) if "enum" in part]
    return None if not enums else {value for values in enums for value in values} - {"", None}


def _serializer_components():
    from rest_framework import serializers

    generator, schema = _generated()
    for component in generator.registry._components.values():
        serializer = component.object
        if component.type == "schemas" and isinstance(serializer, serializers.BaseSerializer):
            published = schema["components"]["schemas"].get(component.name)
            if published is not None and hasattr(serializer, "fields"):
                yield schema, component.name, serializer, published.get("properties", {})


def test_every_choice_field_is_an_enum_of_its_choices():
    from rest_framework import serializers

    checked, wrong = 0, []
    for schema, name, serializer, properties in _serializer_components():
        for field_name, declared in serializer.fields.items():
            field, prop = declared, properties.get(field_name)
            if prop is None:
                continue
            if isinstance(field, serializers.ListField) and isinstance(field.child, serializers.ChoiceField):
                field, prop = field.child, prop.get("items", {})
            if not isinstance(field, serializers.ChoiceField):
                continue
            checked += 1
            expected = set(field.choices) - {"", None}
            if _enum_of(schema, prop) != expected:
                wrong.append(f"{name}.{field_name}: {_enum_of(schema, prop)} != {expected}")
    assert not wrong, wrong
    assert checked > 80  # every app's choices, not a few


def test_every_choice_filter_is_an_enum_parameter():
    generator, schema = _generated()
    checked, wrong = 0, []
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        filterset = getattr(view, "filterset_class", None)
        if method != "GET" or filterset is None or getattr(view, "action", None) not in (None, "list"):
            continue
        parameters = {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
        for filter_name, flt in filterset.base_filters.items():
            if "choices" not in flt.extra:
                continue
            checked += 1
            param = parameters.get(filter_name, {}).get("schema", {})
            param = param.get("items", param)
            expected = {str(value) for value, _label in flt.extra["choices"]} - {""}
            if {str(value) for value in (_enum_of(schema, param) or ())} != expected:
                wrong.append(f"GET {path}?{filter_name}")
    assert not wrong, wrong
    assert checked > 30


def _input_components(schema: dict) -> set[str]:
    """The components an operation accepts: referenced, directly or through other components,
    from a request body (a response component may also end in "Request", e.g. ``TimeRequest``)."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    walk(schema["components"]["schemas"].get(name, {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for operations in schema["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                walk(operation["requestBody"])
    return found


def test_every_writable_string_states_its_maximum_length():
    """Every string an operation accepts is an enum, a format, a pattern or has ``maxLength``
    (free text: 5,000 characters unless its model stores less), and no maxLength promises more
    than the model behind the field stores."""
    from rest_framework import serializers

    from trackyoursheets.api.schema import model_text_bound

    _generator, schema = _generated()
    unbounded, too_long = [], []
    inputs = _input_components(schema)
    for name, component in schema["components"]["schemas"].items():
        if name not in inputs:  # the input components (COMPONENT_SPLIT_REQUEST)
            continue
        for prop_name, declared in component.get("properties", {}).items():
            if declared.get("readOnly") or (name, prop_name) in UNBOUNDED_INPUTS:
                continue
            prop = declared.get("items", declared) if declared.get("type") == "array" else declared
            parts = _resolve(schema, prop)
            if prop.get("type") != "string" or any({"enum", "format", "pattern"} & set(part) for part in parts):
                continue
            if "maxLength" not in prop:
                unbounded.append(f"{name}.{prop_name}")
    for _schema, name, serializer, properties in _serializer_components():
        for field_name, field in serializer.fields.items():
            published = properties.get(field_name, {}).get("maxLength")
            if isinstance(field, serializers.CharField) and published is not None:
                bound = model_text_bound(field, view=None)
                if bound is not None and published > bound:
                    too_long.append(f"{name}.{field_name}: maxLength {published} > {bound} stored")
    assert not unbounded, unbounded
    assert not too_long, too_long


def test_every_writable_integer_states_its_range():
    """Every integer an operation accepts (ids included) has a ``maximum``: past it is a 422, never a 500."""
    _generator, schema = _generated()
    unbounded = []
    inputs = _input_components(schema)
    for name, component in schema["components"]["schemas"].items():
        if name not in inputs:
            continue
        for prop_name, declared in component.get("properties", {}).items():
            prop = declared.get("items", declared) if declared.get("type") == "array" else declared
            if prop.get("type") == "integer" and "maximum" not in prop and "enum" not in prop:
                unbounded.append(f"{name}.{prop_name}")
    assert not unbounded, unbounded


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/v1/time-entries/bulk", {"entry_ids": [2**64], "action": "delete"}),
        ("/v1/transactions/overrides/bulk", {"transaction_ids": [2**64], "kind": "flat", "value": "1", "reason": "r"}),
        ("/v1/workspaces", {"name": "W", "office_id": 2**64}),
    ],
)
def test_an_id_past_bigint_is_a_422(api, organisation, url, body):
    response = api.post(url, body, format="json")
    assert response.status_code == 422, response.content[:300]


def test_bounded_text_is_refused_past_its_published_maximum(api, organisation):
    """The published bound is the server's: one character more is a 422 naming the field."""
    _generator, schema = _generated()
    office = schema["components"]["schemas"]["OfficeRequest"]["properties"]["address"]
    assert office["maxLength"] == 5_000
    created = api.post("/v1/offices", {"name": "Long", "timezone": "UTC", "address": "a" * 5_001}, format="json")
    assert created.status_code == 422, created.content[:300]
    assert "address" in created.json()["errors"]
    assert (
        api.post("/v1/offices", {"name": "Ok", "timezone": "UTC", "address": "a" * 5_000}, format="json").status_code
        == 201
    )
