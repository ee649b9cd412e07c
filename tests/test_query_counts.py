"""Lists and documents cost a fixed number of queries however large the page grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.services import incident_create, incident_update_publish
from tests.factories import ComponentFactory, ComponentGroupFactory

pytestmark = pytest.mark.django_db


def _grow_page(page, components: int):
    groups = [ComponentGroupFactory(page=page) for _ in range(5)]
    return [ComponentFactory(page=page, group=groups[i % 5]) for i in range(components)]


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("path", ["components?page_size=250", "structure", "component-groups", ""])
def test_page_documents_cost_the_same_at_5_and_500_components(
    api, page, path, django_assert_max_num_queries
):
    url = f"/api/v1/status-pages/{page.id}/{path}".rstrip("/")
    components = _grow_page(page, 5)
    incident_create(
        page=page,
        name="Small",
        component_statuses=[{"component_id": components[0].id, "status": "major_outage"}],
    )
    small = _queries(lambda: api.get(url))

    components = _grow_page(page, 495)
    incident_create(
        page=page,
        name="Large",
        component_statuses=[
            {"component_id": c.id, "status": "partial_outage"} for c in components[:100]
        ],
    )
    with django_assert_max_num_queries(small):
        api.get(url)
    assert small <= 12


@pytest.mark.parametrize("path", ["incidents?page_size=50", "incidents/{id}"])
def test_incident_documents_cost_the_same_as_updates_and_components_grow(
    api, page, path, django_assert_max_num_queries
):
    components = _grow_page(page, 3)
    incident = incident_create(
        page=page,
        name="First",
        component_statuses=[{"component_id": components[0].id, "status": "major_outage"}],
    )
    url = f"/api/v1/status-pages/{page.id}/{path.format(id=incident.id)}"
    small = _queries(lambda: api.get(url))

    more = _grow_page(page, 60)
    for index in range(20):
        incident_update_publish(
            incident=incident,
            status="identified",
            message=f"#{index}",
            component_statuses=[{"component_id": more[index].id, "status": "degraded_performance"}],
        )
    for index in range(30):
        incident_create(
            page=page,
            name=f"Other {index}",
            component_statuses=[
                {"component_id": more[30 + index % 30].id, "status": "partial_outage"}
            ],
        )
    with django_assert_max_num_queries(small):
        api.get(url)
    assert small <= 12


def test_maintenance_list_costs_the_same_as_it_grows(api, page, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from maintenances.services import maintenance_create

    components = _grow_page(page, 20)
    start = timezone.now() + timedelta(days=1)

    def schedule(count):
        for _ in range(count):
            maintenance_create(
                page=page,
                name="Upgrade",
                start_at=start,
                end_at=start + timedelta(hours=1),
                component_ids=[c.id for c in components[:10]],
            )

    url = f"/api/v1/status-pages/{page.id}/maintenances?page_size=100"
    schedule(1)
    small = _queries(lambda: api.get(url))
    schedule(40)
    with django_assert_max_num_queries(small):
        api.get(url)
