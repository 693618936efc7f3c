"""Hosted API docs: OpenAPI at /v1/schema, Swagger UI and ReDoc with assets served by us."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_documents_every_endpoint(schema):
    assert {
        "/v1/info",
        "/v1/health",
        "/v1/organisations/current",
        "/v1/offices",
        "/v1/offices/{id}",
        "/v1/workspaces",
        "/v1/workspaces/{id}",
        "/v1/workspaces/{id}/agents",
        "/v1/producers",
        "/v1/producers/{id}",
    } <= set(schema["paths"])


def test_schema_documents_oauth_and_scopes(schema):
    scheme = schema["components"]["securitySchemes"]["oauth2"]
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/token"
    assert "workspaces.write" in scheme["flows"]["clientCredentials"]["scopes"]
    create = schema["paths"]["/v1/workspaces"]["post"]
    # issue 13: personal tokens (Bearer tys_... or X-API-Key) are schemes beside OAuth
    assert create["security"] == [{"oauth2": ["workspaces.write"]}, {"personalToken": []}, {"apiKey": []}]
    assert "Required scope: `workspaces.write`" in create["description"]


def test_schema_documents_problem_responses(schema):
    create = schema["paths"]["/v1/workspaces"]["post"]
    for code in ("400", "401", "403", "404", "415", "422", "429", "500"):
        content = create["responses"][code]["content"]
        assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail", "instance"]


def test_schema_documents_the_list_envelope(schema):
    listing = schema["paths"]["/v1/workspaces"]["get"]
    ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    envelope = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert envelope["required"] == ["results", "pagination"]
    assert set(envelope["properties"]["pagination"]["properties"]) == {
        "page",
        "page_size",
        "total",
        "total_pages",
        "next",
        "previous",
    }
    params = {p["name"] for p in listing["parameters"]}
    assert {"page", "page_size", "status", "office_id", "updated_after", "created_after", "role"} <= params


@pytest.mark.parametrize("path", ["/api/docs", "/api/redoc"])
def test_docs_pages_load_assets_from_this_server_only(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(not u.startswith(("http://", "https://", "//")) for u in urls), urls
    for url in urls:
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert out.read_text().startswith("openapi: 3")


def _shape(path: str) -> str:
    import re as _re

    return _re.sub(r"\{[^}]+\}", "{id}", path.removeprefix("/v1/").removeprefix("v1/"))


def test_every_v1_route_is_in_the_schema_and_the_guide(schema):
    from pathlib import Path

    from tests.platform.test_tenancy_matrix import _v1_routes

    routes = {_shape(r) for r in _v1_routes()} - {"schema"}
    documented = {_shape(p) for p in schema["paths"]}
    guide = Path(__file__).resolve().parents[2].joinpath("docs", "api-guide.md").read_text()
    guide_paths = {_shape(p) for p in re.findall(r"/v1/[A-Za-z0-9_\-/{}]+", guide)}

    assert len(routes) > 30  # the walk found the API
    assert sorted(routes - documented) == []
    assert sorted(routes - guide_paths) == []
