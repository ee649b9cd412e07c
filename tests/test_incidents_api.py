"""What an automation script sees while it opens, updates and resolves incidents."""

import pytest

from notifications.models import NotificationEvent
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def components(page):
    return {
        name: ComponentFactory(page=page, name=name) for name in ("API", "Dashboard", "Website")
    }


def _base(page):
    return f"/api/v1/status-pages/{page.id}"


def open_incident(api, page, key="k1", **body):
    body = {"name": "Elevated errors", "message": "Looking into it.", **body}
    response = api.post(f"{_base(page)}/incidents", body, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201, response.json()
    return response.json()


def publish(api, page, incident_id, **body):
    return api.post(f"{_base(page)}/incidents/{incident_id}/updates", body)


def component_statuses(api, page):
    data = api.get(f"{_base(page)}/components").json()["data"]
    return {item["name"]: item["status"] for item in data}


def indicator(api, page):
    return api.get(_base(page)).json()["status"]["indicator"]


def test_an_incident_lifecycle_moves_statuses_impact_and_indicator(api, page, components):
    api_c, dash = components["API"], components["Dashboard"]
    incident = open_incident(
        api,
        page,
        component_statuses=[
            {"component_id": api_c.id, "status": "major_outage"},
            {"component_id": dash.id, "status": "degraded_performance"},
        ],
    )
    assert incident["id"].startswith("inc_")
    assert incident["status"] == "investigating" and incident["impact"] == "critical"
    assert incident["monitoring_at"] is None and incident["resolved_at"] is None
    assert incident["started_at"].endswith("Z")
    assert incident["shortlink"].endswith(f"/pages/{page.slug}/incidents/{incident['id']}")
    assert [u["message"] for u in incident["updates"]] == ["Looking into it."]
    assert {c["name"]: c["status"] for c in incident["components"]} == {
        "API": "major_outage",
        "Dashboard": "degraded_performance",
    }
    assert component_statuses(api, page) == {
        "API": "major_outage",
        "Dashboard": "degraded_performance",
        "Website": "operational",
    }
    assert indicator(api, page) == "critical"

    update = publish(
        api,
        page,
        incident["id"],
        status="identified",
        message="Bad deploy.",
        component_statuses=[{"component_id": api_c.id, "status": "partial_outage"}],
    )
    assert update.status_code == 201
    body = update.json()
    assert body["id"].startswith("incu_") and body["status"] == "identified"
    assert body["component_statuses"] == [
        {
            "component_id": api_c.id,
            "name": "API",
            "status": "partial_outage",
            "old_status": "major_outage",
            "new_status": "partial_outage",
        }
    ]
    assert component_statuses(api, page)["API"] == "partial_outage"
    assert indicator(api, page) == "major"

    publish(api, page, incident["id"], status="monitoring", message="Fix deployed.")
    detail = api.get(f"{_base(page)}/incidents/{incident['id']}").json()
    assert detail["status"] == "monitoring" and detail["monitoring_at"] is not None
    assert detail["impact"] == "major"

    resolved = publish(api, page, incident["id"], status="resolved", message="All good.")
    assert resolved.status_code == 201
    detail = api.get(f"{_base(page)}/incidents/{incident['id']}").json()
    assert detail["status"] == "resolved" and detail["resolved_at"] is not None
    assert {c["status"] for c in detail["components"]} == {"operational"}
    assert [u["status"] for u in detail["updates"]] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]
    assert detail["impact"] == "major", "a resolved incident keeps the impact it had"
    assert set(component_statuses(api, page).values()) == {"operational"}
    assert indicator(api, page) == "none"


def test_resolving_one_incident_keeps_the_other_outage_visible(api, page, components):
    api_c = components["API"]
    first = open_incident(
        api, page, "a", component_statuses=[{"component_id": api_c.id, "status": "major_outage"}]
    )
    open_incident(
        api,
        page,
        "b",
        name="Slow API",
        component_statuses=[{"component_id": api_c.id, "status": "degraded_performance"}],
    )
    publish(api, page, first["id"], status="resolved")
    assert component_statuses(api, page)["API"] == "degraded_performance"
    assert indicator(api, page) == "minor"


def test_a_manual_status_stays_when_an_incident_resolves(api, page, components):
    web = components["Website"]
    api.patch(f"{_base(page)}/components/{web.id}", {"status": "partial_outage"})
    incident = open_incident(
        api, page, component_statuses=[{"component_id": web.id, "status": "degraded_performance"}]
    )
    assert component_statuses(api, page)["Website"] == "partial_outage"
    publish(api, page, incident["id"], status="resolved")
    component = api.get(f"{_base(page)}/components/{web.id}").json()
    assert (
        component["status"] == "partial_outage" and component["manual_status"] == "partial_outage"
    )


def test_impact_override_wins_over_component_statuses(api, page, components):
    incident = open_incident(
        api,
        page,
        impact_override="critical",
        component_statuses=[
            {"component_id": components["API"].id, "status": "degraded_performance"}
        ],
    )
    assert incident["impact"] == "critical" and incident["impact_override"] == "critical"
    assert indicator(api, page) == "critical"
    patched = api.patch(f"{_base(page)}/incidents/{incident['id']}", {"impact_override": None})
    assert patched.json()["impact"] == "minor"
    assert indicator(api, page) == "minor"


def test_an_incident_without_components_still_sets_the_indicator_by_its_impact(api, page):
    open_incident(api, page, impact_override="major")
    assert api.get(_base(page)).json()["status"] == {
        "indicator": "major",
        "description": "Partial System Outage",
    }


@pytest.mark.parametrize(
    ("status", "indicator_value", "description"),
    [
        ("operational", "none", "All Systems Operational"),
        ("degraded_performance", "minor", "Partially Degraded Service"),
        ("partial_outage", "major", "Partial System Outage"),
        ("major_outage", "critical", "Major Service Outage"),
    ],
)
def test_page_indicator_follows_the_worst_component(
    api, page, components, status, indicator_value, description
):
    if status != "operational":
        open_incident(
            api, page, component_statuses=[{"component_id": components["API"].id, "status": status}]
        )
    assert api.get(_base(page)).json()["status"] == {
        "indicator": indicator_value,
        "description": description,
    }


def test_reopening_a_resolved_incident_clears_resolved_at(api, page, components):
    incident = open_incident(
        api,
        page,
        component_statuses=[{"component_id": components["API"].id, "status": "partial_outage"}],
    )
    publish(api, page, incident["id"], status="resolved")
    reopened = publish(
        api,
        page,
        incident["id"],
        status="investigating",
        message="It is back.",
        component_statuses=[{"component_id": components["API"].id, "status": "major_outage"}],
    )
    assert reopened.status_code == 201
    detail = api.get(f"{_base(page)}/incidents/{incident['id']}").json()
    assert detail["status"] == "investigating" and detail["resolved_at"] is None
    assert detail["impact"] == "critical"
    assert component_statuses(api, page)["API"] == "major_outage"


def test_resolving_with_component_statuses_is_400(api, page, components):
    incident = open_incident(api, page)
    response = publish(
        api,
        page,
        incident["id"],
        status="resolved",
        component_statuses=[{"component_id": components["API"].id, "status": "operational"}],
    )
    assert response.status_code == 400
    assert "component_statuses" in response.json()["error"]["details"]


def test_a_postmortem_is_accepted_only_once_resolved(api, page):
    incident = open_incident(api, page)
    url = f"{_base(page)}/incidents/{incident['id']}"
    early = api.patch(url, {"postmortem": "# What happened"})
    assert early.status_code == 400
    assert early.json()["error"]["details"] == {
        "postmortem": ["A postmortem can be added once the incident is resolved."]
    }
    publish(api, page, incident["id"], status="resolved")
    late = api.patch(url, {"postmortem": "# What happened", "name": "Database failover"})
    assert late.status_code == 200
    assert late.json()["postmortem"] == "# What happened"
    assert late.json()["name"] == "Database failover"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 256}, "name"),
        ({"message": "x" * 25_001}, "message"),
        ({"status": "exploded"}, "status"),
        ({"impact_override": "apocalyptic"}, "impact_override"),
        ({"started_at": "2026-11-25T10:00:00"}, "started_at"),
        (
            {"component_statuses": [{"component_id": "cmp_nope", "status": "major_outage"}]},
            "component_statuses",
        ),
        (
            {"component_statuses": [{"component_id": "x", "status": "broken"}]},
            "component_statuses.0.status",
        ),
    ],
)
def test_bad_incident_input_is_a_400_naming_the_field(api, page, body, field):
    response = api.post(
        f"{_base(page)}/incidents", {"name": "Outage", **body}, HTTP_IDEMPOTENCY_KEY="bad"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["details"]


def test_a_component_of_another_page_is_refused(api, page, organization):
    from tests.factories import StatusPageFactory

    elsewhere = ComponentFactory(page=StatusPageFactory(organization=organization))
    response = api.post(
        f"{_base(page)}/incidents",
        {
            "name": "Outage",
            "component_statuses": [{"component_id": elsewhere.id, "status": "major_outage"}],
        },
        HTTP_IDEMPOTENCY_KEY="other-page",
    )
    assert response.status_code == 400


def test_creating_an_incident_without_an_idempotency_key_is_400(api, page):
    response = api.post(f"{_base(page)}/incidents", {"name": "Outage"})
    assert response.status_code == 400
    assert "idempotency_key" in response.json()["error"]["details"]


def test_the_idempotency_key_may_come_in_the_body(api, page):
    body = {"name": "Outage", "idempotency_key": "from-body"}
    first = api.post(f"{_base(page)}/incidents", body)
    second = api.post(f"{_base(page)}/incidents", body)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert NotificationEvent.objects.count() == 1


def test_every_publish_records_one_complete_event(api, page, components):
    incident = open_incident(
        api,
        page,
        component_statuses=[{"component_id": components["API"].id, "status": "major_outage"}],
    )
    publish(api, page, incident["id"], status="identified", notify_subscribers=False)
    publish(api, page, incident["id"], status="resolved", message="Fixed.")
    events = list(NotificationEvent.objects.order_by("created_at", "id"))
    assert [event.kind for event in events] == ["incident_created", "incident_resolved"]
    resolved = events[1].payload
    assert resolved["page"]["slug"] == page.slug
    assert resolved["incident"]["id"] == incident["id"]
    assert resolved["incident"]["status"] == "resolved"
    assert resolved["update"]["message"] == "Fixed."
    assert resolved["components"] == [
        {
            "id": components["API"].id,
            "name": "API",
            "old_status": "major_outage",
            "new_status": "operational",
        }
    ]
    assert events[1].component_ids == [components["API"].id]


def test_deleting_a_component_used_by_an_unresolved_incident_is_409(api, page, components):
    api_c = components["API"]
    incident = open_incident(
        api, page, component_statuses=[{"component_id": api_c.id, "status": "major_outage"}]
    )
    response = api.delete(f"{_base(page)}/components/{api_c.id}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    publish(api, page, incident["id"], status="resolved")
    assert api.delete(f"{_base(page)}/components/{api_c.id}").status_code == 204


def test_deleting_an_incident_clears_its_impact(api, page, components):
    incident = open_incident(
        api,
        page,
        component_statuses=[{"component_id": components["API"].id, "status": "major_outage"}],
    )
    assert api.delete(f"{_base(page)}/incidents/{incident['id']}").status_code == 204
    assert component_statuses(api, page)["API"] == "operational"
    assert api.get(f"{_base(page)}/incidents/{incident['id']}").status_code == 404


def test_incident_list_filters_by_status_newest_first(api, page):
    old = open_incident(api, page, "old", name="Old")
    new = open_incident(api, page, "new", name="New")
    publish(api, page, old["id"], status="resolved")
    listed = api.get(f"{_base(page)}/incidents").json()["data"]
    assert [i["id"] for i in listed] == [new["id"], old["id"]]
    unresolved = api.get(f"{_base(page)}/incidents?status=unresolved").json()["data"]
    assert [i["id"] for i in unresolved] == [new["id"]]
    resolved = api.get(f"{_base(page)}/incidents?status=resolved").json()["data"]
    assert [i["id"] for i in resolved] == [old["id"]]
    assert api.get(f"{_base(page)}/incidents?status=nope").status_code == 400


def test_a_read_only_key_cannot_open_incidents(make_client, organization, page):
    reader = make_client(organization=organization, scopes="")
    response = reader.post(f"{_base(page)}/incidents", {"name": "x"}, HTTP_IDEMPOTENCY_KEY="r")
    assert response.status_code == 403
    assert response.json()["error"]["details"] == {"required_scope": "incidents:write"}
    assert reader.get(f"{_base(page)}/incidents").status_code == 200


def test_another_organizations_incident_is_404(api, make_client, page):
    from tests.factories import OrganizationFactory

    incident = open_incident(api, page)
    other = make_client(organization=OrganizationFactory(slug="globex"))
    url = f"{_base(page)}/incidents/{incident['id']}"
    assert other.get(url).status_code == 404
    assert other.patch(url, {"name": "mine"}).status_code == 404
    assert other.delete(url).status_code == 404
    assert other.post(f"{url}/updates", {"status": "resolved"}).status_code == 404


def test_shortlinks_use_the_pages_custom_domain_and_lead_to_the_incident(api, page, client):
    page.custom_domain = "status.acme.example"
    page.save()
    incident = open_incident(api, page)
    assert incident["shortlink"] == f"https://status.acme.example/incidents/{incident['id']}"
    response = client.get(f"/incidents/{incident['id']}", HTTP_HOST="status.acme.example")
    assert response.status_code == 200
    assert "Elevated errors" in response.content.decode()
