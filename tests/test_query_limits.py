"""Every parameter documents the longest value it takes, a longer one is a 400 in the envelope
naming it, and the longest URL the documents allow reaches the API through gunicorn."""

import base64
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml
from rest_framework.test import APIClient

from core.pagination import MAX_CURSOR_LENGTH
from integrations.services import integration_create
from monitors.services import monitor_create
from tests.factories import ComponentFactory, IncidentFactory, MaintenanceFactory

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = yaml.safe_load((ROOT / "openapi.yaml").read_text())  # fresh: tests/test_openapi.py


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _parameters(operation, where):
    return [p for p in operation.get("parameters", ()) if p["in"] == where]


LIST_PATHS = sorted(
    path
    for path, method, operation in _operations(DOCUMENT)
    if method == "get" and any(p["name"] == "after" for p in _parameters(operation, "query"))
)
STRING_QUERY_PARAMETERS = sorted(
    (method, path, parameter["name"], parameter["schema"]["maxLength"])
    for path, method, operation in _operations(DOCUMENT)
    if path.startswith("/api/v1/")
    for parameter in _parameters(operation, "query")
    if parameter["schema"].get("type") == "string"
)


def _request_line_limit() -> int:
    settings: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # noqa: S102 - our own config
    return settings["limit_request_line"]


@pytest.fixture
def path_ids(page):
    integration, _ = integration_create(page=page, kind="generic", name="Alerts")
    monitor, _ = monitor_create(page=page, name="Cron", kind="heartbeat")
    return {
        "page_id": page.id,
        "incident_id": IncidentFactory(page=page).id,
        "maintenance_id": MaintenanceFactory(page=page).id,
        "integration_id": integration.id,
        "monitor_id": monitor.id,
    }


def test_there_are_list_operations_and_free_text_filters_to_check():
    assert len(LIST_PATHS) >= 20
    assert {name for _, _, name, _ in STRING_QUERY_PARAMETERS} >= {
        "after",
        "status",
        "actor",
        "action",
        "object_id",
        "subscriber_id",
        "incident_id",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize(
    "cursor", ["A" * (MAX_CURSOR_LENGTH + 1), "\U0001f600é\u202e" * (MAX_CURSOR_LENGTH // 3)]
)
def test_a_long_or_odd_cursor_is_a_400_naming_after_on_every_list(api, path_ids, path, cursor):
    response = api.get(path.format(**path_ids), {"after": cursor})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["details"]) == ["after"]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "name", "longest"), STRING_QUERY_PARAMETERS)
def test_a_query_parameter_longer_than_documented_is_a_400_naming_it(
    api, path_ids, method, path, name, longest
):
    url = f"{path.format(**path_ids)}?{urlencode({name: 'a' * (longest + 1)})}"
    response = api.generic(method.upper(), url)  # a write's parameters too, before its body
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["details"]) == [name]


@pytest.mark.django_db
def test_a_cursor_of_the_maximum_length_is_read(api, page):
    first, second = ComponentFactory(page=page, position=0), ComponentFactory(page=page, position=1)
    # (position, id) after (0, "aaa..."): both components, position 0's id sorting after it.
    raw = json.dumps([0, "a" * 762], separators=(",", ":")).encode()
    cursor = base64.urlsafe_b64encode(raw).decode()
    assert len(cursor) == MAX_CURSOR_LENGTH

    response = api.get(f"/api/v1/status-pages/{page.id}/components", {"after": cursor})

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["data"]] == [first.id, second.id]


@pytest.mark.django_db
def test_a_free_text_filter_of_the_maximum_length_is_read(api, page):
    response = api.get("/api/v1/audit-events", {"actor": "\U0001f600" * 64, "action": "x" * 64})
    assert response.status_code == 200, response.content
    assert response.json()["data"] == []


@pytest.mark.django_db
def test_statuspage_v1_refuses_a_search_longer_than_documented_in_its_own_shape(api, page):
    document = APIClient().get("/v1/openapi.json").json()
    operation = document["paths"]["/v1/pages/{page_id}/incidents"]["get"]
    longest = next(p for p in operation["parameters"] if p["name"] == "q")["schema"]["maxLength"]
    url = f"/v1/pages/{page.id}/incidents"
    IncidentFactory(page=page, name="Database down")

    assert api.get(url, {"q": "x" * longest}).json() == []
    too_long = api.get(url, {"q": "x" * (longest + 1)})

    assert too_long.status_code == 422
    assert too_long.json() == {"error": "q: Ensure this field has no more than 255 characters."}


# ---- the longest URL the documents allow ----------------------------------------------------

_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _longest_value(schema: dict) -> str:
    """The value of ``schema`` that is longest once percent-encoded in a URL."""
    if schema.get("type") == "integer":
        assert "maximum" in schema, schema
        return str(max(abs(schema.get("minimum", 0)), schema["maximum"]))
    if "enum" in schema:
        return max(map(str, schema["enum"]), key=lambda value: len(quote(value, safe="")))
    assert "maxLength" in schema, schema
    candidates = ["\U0001f600", "%", "a"]  # 12, 3 and 1 bytes in a URL
    pattern = schema.get("pattern")
    if pattern:
        candidates = [c for c in candidates if re.search(pattern, f"a{c}a")]
    return candidates[0] * schema["maxLength"]


def _longest_request_line(path: str, method: str, operation: dict) -> str:
    for parameter in _parameters(operation, "path"):
        value = quote(_longest_value(parameter["schema"]), safe="")
        path = path.replace(f"{{{parameter['name']}}}", value)
    query = "&".join(
        f"{parameter['name']}={quote(_longest_value(parameter['schema']), safe='')}"
        for parameter in _parameters(operation, "query")
    )
    return f"{method.upper()} {path}{'?' + query if query else ''} HTTP/1.1"


def _longest(document) -> tuple[int, str, str]:
    return max(
        (len(_longest_request_line(path, method, operation)), method, path)
        for path, method, operation in _operations(document)
    )


@pytest.mark.django_db
def test_the_longest_url_the_documents_allow_is_well_under_the_request_line_limit():
    v1 = APIClient().get("/v1/openapi.json").json()
    for document in (DOCUMENT, v1):
        for _, _, operation in _operations(document):
            for parameter in _parameters(operation, "path") + _parameters(operation, "query"):
                _longest_value(parameter["schema"])  # every string has a length, enum or max
    longest = max(_longest(DOCUMENT), _longest(v1))
    assert longest[0] <= 0.75 * _request_line_limit(), longest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, target: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{target}", timeout=10) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


@pytest.fixture
def gunicorn(tmp_path):
    """The project's gunicorn, started as the Dockerfile starts it (from the project root, so
    with gunicorn.conf.py), on a free loopback port, with a database of its own."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    command = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application", "--workers", "1"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own gunicorn
    try:
        for _ in range(300):
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
def test_gunicorn_hands_the_longest_documented_urls_to_the_api_not_an_html_414(gunicorn):
    v1 = APIClient().get("/v1/openapi.json").json()
    limit = _request_line_limit()
    for document in (DOCUMENT, v1):
        _, method, path = _longest(document)
        line = _longest_request_line(path, method, document["paths"][path][method])
        status, content_type, body = _get(gunicorn, line.split(" ")[1])
        # No key: the API itself answers, in its own JSON error shape.
        assert (status, content_type) == (401, "application/json"), body[:200]
        error = json.loads(body)["error"]
        assert (
            error["code"] == "unauthenticated" if document is DOCUMENT else isinstance(error, str)
        )
        if document is DOCUMENT:
            assert len(line) > 4094  # over gunicorn's default limit: it would have been a 414
    # And the limit is gunicorn's, as configured: one byte more is its own 414.
    padding = "x" * (limit - len("GET /healthz? HTTP/1.1") + 1)
    assert _get(gunicorn, f"/healthz?{padding}")[0] == 414
