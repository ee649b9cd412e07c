"""Property-based fuzzing of the management API from its own OpenAPI document (schemathesis):
whatever the generated request, the answer is never a 5xx and always what the document says
(a documented status code, content type, headers and body)."""

from contextlib import contextmanager
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import ComponentFactory, ComponentGroupFactory

OPENAPI = Path(__file__).resolve().parent.parent / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# 46 operations (with the coverage phase) make ~2,600 requests: about 45 s of CPU on two cores.
EXAMPLES_PER_OPERATION = 25

# The management API and the public Statuspage documents: the whole published document.
schema = schemathesis.openapi.from_path(OPENAPI)
app = WSGIHandler()


@pytest.fixture
def world(make_client, organization, settings):
    """A page with a group, components, an incident, a maintenance and a subscriber, and a key
    with every scope; path parameters point at these so requests reach the handlers."""
    settings.API_RATE_LIMIT = "1000000/min"
    api = make_client(organization=organization)
    page = api.post("/api/v1/status-pages", {"name": "Fuzz", "slug": "fuzz"}).json()
    group = ComponentGroupFactory(page_id=page["id"])
    component = ComponentFactory(page_id=page["id"], group=group)
    pid = page["id"]
    incident = api.post(
        f"/api/v1/status-pages/{pid}/incidents",
        {
            "name": "Outage",
            "status": "investigating",
            "message": "Looking.",
            "component_statuses": [{"component_id": component.id, "status": "major_outage"}],
        },
        HTTP_IDEMPOTENCY_KEY="fuzz-incident",
    ).json()
    maintenance = api.post(
        f"/api/v1/status-pages/{pid}/maintenances",
        {
            "name": "Upgrade",
            "message": "Planned.",
            "start_at": "2030-01-01T10:00:00Z",
            "end_at": "2030-01-01T12:00:00Z",
            "component_ids": [component.id],
        },
        HTTP_IDEMPOTENCY_KEY="fuzz-maintenance",
    ).json()
    subscriber = api.post(
        f"/api/v1/status-pages/{pid}/subscribers",
        {"channel": "email", "email": "reader@example.com"},
    ).json()
    integration = api.post(
        f"/api/v1/status-pages/{pid}/integrations",
        {
            "kind": "alertmanager",
            "name": "Prometheus",
            "rules": [{"component_ids": [component.id], "status": "major_outage"}],
        },
    ).json()
    monitor = api.post(
        f"/api/v1/status-pages/{pid}/monitors",
        {"name": "Cron", "kind": "heartbeat", "component_id": component.id},
    ).json()
    member = api.post("/api/v1/members", {"email": "ed@example.com", "role": "editor"}).json()
    other_key = api.post("/api/v1/api-keys", {"name": "fuzzed"}).json()
    ids = {
        "member_id": member["id"],
        "key_id": other_key["id"],
        "page_id": pid,
        "integration_id": integration["id"],
        "monitor_id": monitor["id"],
        "slug": page["slug"],
        "group_id": group.id,
        "component_id": component.id,
        "incident_id": incident["id"],
        "maintenance_id": maintenance["id"],
        "subscriber_id": subscriber["id"],
    }
    return api.token, ids


@contextmanager
def kept_connection():
    """As Django's test client does: the end of a WSGI request must not close the database
    connection (on PostgreSQL the test's transaction would go with it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_request_gets_a_server_error_or_an_undocumented_answer(case, world):
    token, ids = world
    # Real ids for the path, unless it was generated to break its schema (an id over its
    # maxLength): that one must stay, to be refused.
    path_is_negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    for name in case.path_parameters or {}:
        if name in ids and not path_is_negative:
            case.path_parameters[name] = ids[name]
    if "Idempotency-Key" not in (case.headers or {}) and isinstance(case.body, dict):
        # The body field may stand in for the required header (documented); a request
        # generated without the header must not smuggle the key in the body.
        case.body.pop("idempotency_key", None)
    # Each example starts from the same world: whatever it changed is rolled back.
    with transaction.atomic(), kept_connection():
        response = case.call(app=app, headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    checks = CHECKS
    if response.status_code == 413:
        # A generated body over the size limit is refused as documented; schemathesis does not
        # count 413 among the ways to reject invalid data.
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    case.validate_response(response, checks=checks)
