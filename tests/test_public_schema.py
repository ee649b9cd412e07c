"""The OpenAPI schema's description of the public documents matches what they return."""

from datetime import timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from incidents.services import incident_change, incident_create, incident_resolve
from maintenances.services import maintenance_create
from metrics.services import metric_create, metric_points_submit
from public.documents import DOCUMENTS
from tests.factories import ComponentFactory, ComponentGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_page(page):
    group = ComponentGroupFactory(page=page, name="Core")
    api = ComponentFactory(page=page, group=group, name="API", description="REST")
    ComponentFactory(page=page, name="CDN")
    incident_create(
        page=page,
        name="Open",
        component_statuses=[{"component_id": api.id, "status": "major_outage"}],
    )
    old = incident_create(page=page, name="Old", impact_override="minor")
    incident_resolve(incident=old, message="Fixed.")
    incident_change(incident=old, postmortem="# Why")
    start = timezone.now() + timedelta(days=1)
    maintenance_create(
        page=page,
        name="Upgrade",
        start_at=start,
        end_at=start + timedelta(hours=1),
        component_ids=[api.id],
    )
    maintenance_create(
        page=page,
        name="Now",
        start_at=timezone.now() - timedelta(minutes=1),
        end_at=timezone.now() + timedelta(hours=1),
        component_ids=[api.id],
    )
    return page


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_each_public_document_matches_its_published_schema(busy_page, name):
    schema = APIClient().get("/api/v1/openapi.json").json()
    operation = schema["paths"][f"/pages/{{slug}}/api/v2/{name}"]["get"]
    assert operation["security"] == []
    document_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**document_schema, "components": schema["components"]})
    body = APIClient().get(f"/pages/{busy_page.slug}/api/v2/{name}").json()
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(body)]
    assert errors == []
    assert list(validator.iter_errors({**body, "unexpected": 1})), "the schema is exact"


@pytest.mark.parametrize("name", ["uptime.json", "metrics.json"])
def test_uptime_and_metrics_documents_match_their_published_schema(busy_page, name):
    metric = metric_create(page=busy_page, name="Latency", suffix="ms")
    metric_points_submit(metric=metric, points=[(timezone.now(), 12.5)])
    schema = APIClient().get("/api/v1/openapi.json").json()
    operation = schema["paths"][f"/pages/{{slug}}/api/v2/{name}"]["get"]
    document_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**document_schema, "components": schema["components"]})
    body = APIClient().get(f"/pages/{busy_page.slug}/api/v2/{name}").json()
    assert body["metrics" if name == "metrics.json" else "components"]
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(body)]
    assert errors == []
