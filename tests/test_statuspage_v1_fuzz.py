"""Property-based fuzzing of ``/v1/`` from its own OpenAPI document: whatever a Statuspage
script sends, the answer is never a 5xx, and its status is one the document lists."""

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from dialects.statuspage_v1.openapi import openapi_document
from incidents.services import incident_create
from maintenances.services import maintenance_create
from subscribers.services import subscriber_create
from tests.factories import ComponentFactory, ComponentGroupFactory
from tests.test_fuzz_api import kept_connection

# 26 operations: about 11 s on two cores.
EXAMPLES_PER_OPERATION = 10

schema = schemathesis.openapi.from_dict(openapi_document())
app = WSGIHandler()


@pytest.fixture
def world(make_client, organization, page, settings):
    settings.API_RATE_LIMIT = "1000000/min"
    api = make_client(organization=organization)
    group = ComponentGroupFactory(page=page)
    component = ComponentFactory(page=page, group=group)
    incident = incident_create(
        page=page,
        name="Outage",
        message="Looking.",
        component_statuses=[{"component_id": component.id, "status": "major_outage"}],
    )
    maintenance_create(
        page=page,
        name="Upgrade",
        start_at=datetime.datetime(2030, 1, 1, 10, tzinfo=datetime.UTC),
        end_at=datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.UTC),
        component_ids=[component.id],
    )
    subscriber = subscriber_create(page=page, channel="email", email="reader@example.com")
    ids = {
        "page_id": page.id,
        "id": group.id,
        "component_id": component.id,
        "incident_id": incident.id,
        "incident_update_id": incident.updates.get().id,
        "subscriber_id": subscriber.id,
    }
    return api.token, ids


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_statuspage_request_gets_a_server_error(case, world):
    token, ids = world
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    with transaction.atomic(), kept_connection():
        response = case.call(app=app, headers={"Authorization": f"OAuth {token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
