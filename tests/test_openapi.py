"""The published OpenAPI document: valid, complete, and the committed copy is current."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
COMMITTED = Path(__file__).resolve().parent.parent / "openapi.yaml"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3_1(schema):
    assert schema["openapi"].startswith("3.1")
    validate(schema)


def test_every_operation_names_its_scope_and_the_bearer_scheme(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if path.startswith("/api/v1/")
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        assert "x-required-scope" in operation, (method, path)
        assert {"bearerAuth": []} in operation["security"], (method, path)
        assert "401" in operation["responses"], (method, path)
        if method in ("post", "patch", "delete"):
            assert operation["x-required-scope"], f"{method} {path} needs a scope"


def test_writes_need_the_scope_the_contract_names(schema):
    paths = schema["paths"]
    pid = "/api/v1/status-pages/{page_id}"
    assert paths["/api/v1/status-pages"]["post"]["x-required-scope"] == "pages:write"
    assert paths[f"{pid}/incidents"]["post"]["x-required-scope"] == "incidents:write"
    assert paths[f"{pid}/maintenances"]["post"]["x-required-scope"] == "incidents:write"
    assert paths[f"{pid}/incidents"]["get"]["x-required-scope"] is None


def test_errors_and_pagination_are_documented(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]["error"]["required"]) == {
        "code",
        "message",
        "details",
        "request_id",
    }
    listing = schema["paths"]["/api/v1/status-pages/{page_id}/incidents"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"page_size", "after", "status"} <= names
    assert listing["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_the_committed_openapi_yaml_is_current(tmp_path, settings):
    settings.DEBUG = True
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert COMMITTED.exists(), "run `make schema` and commit openapi.yaml"
    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(COMMITTED.read_text()), (
        "openapi.yaml is stale: run `make schema` and commit it"
    )


def test_swagger_ui_and_redoc_are_served_without_a_cdn(client):
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
        assert "/static/drf_spectacular_sidecar/" in html
