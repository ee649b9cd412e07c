"""One incident, four ways in and two ways out: opened through incident.io's API, updated
through Instatus's, resolved through ``/api/v1``, read through Statuspage v1 and the public
Statuspage v2 document. Every dialect is a translator over the same services, so each step is
seen by all the others."""

import pytest
from rest_framework.test import APIClient

from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def statuspage_v1(api):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"OAuth {api.token}")
    return client


def test_an_incident_opened_in_incident_io_updated_in_instatus_resolved_in_our_api(
    api, statuspage_v1, page
):
    checkout = ComponentFactory(page=page, name="Checkout")
    search = ComponentFactory(page=page, name="Search")

    opened = api.post(
        "/incident-io/v2/status_page_incidents",
        {
            "idempotency_key": "pager-7781",
            "status_page_id": page.id,
            "name": "Payments failing",
            "incident_status": "investigating",
            "message": "Card payments fail.",
            "notify_subscribers": False,
            "component_statuses": [
                {"component_id": checkout.id, "component_status": "full_outage"}
            ],
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    incident_id = opened.json()["status_page_incident"]["id"]
    ours = api.get(f"/api/v1/status-pages/{page.id}/incidents/{incident_id}").json()
    assert (ours["status"], ours["impact"]) == ("investigating", "critical")
    assert {c["component_id"]: c["status"] for c in ours["components"]} == {
        checkout.id: "major_outage"
    }

    updated = api.post(
        f"/instatus/v1/{page.id}/incidents/{incident_id}/incident-updates",
        {
            "message": "A bad deploy; rolling back.",
            "status": "IDENTIFIED",
            "notify": False,
            "statuses": [
                {"id": checkout.id, "status": "PARTIALOUTAGE"},
                {"id": search.id, "status": "DEGRADEDPERFORMANCE"},
            ],
        },
        format="json",
    )
    assert updated.status_code == 200, updated.content
    seen_by_incident_io = api.get(f"/incident-io/v2/status_page_incidents/{incident_id}").json()
    assert seen_by_incident_io["status_page_incident"]["incident_status"] == "identified"
    ours = api.get(f"/api/v1/status-pages/{page.id}/incidents/{incident_id}").json()
    assert (ours["status"], ours["impact"]) == ("identified", "major")
    assert {c["component_id"]: c["status"] for c in ours["components"]} == {
        checkout.id: "partial_outage",
        search.id: "degraded_performance",
    }

    resolved = api.post(
        f"/api/v1/status-pages/{page.id}/incidents/{incident_id}/updates",
        {"status": "resolved", "message": "Payments work again.", "notify_subscribers": False},
        format="json",
    )
    assert resolved.status_code == 201, resolved.content

    v1 = statuspage_v1.get(f"/v1/pages/{page.id}/incidents/{incident_id}")
    assert v1.status_code == 200, v1.content
    v1 = v1.json()
    assert (v1["name"], v1["status"]) == ("Payments failing", "resolved")
    assert [u["status"] for u in v1["incident_updates"]] == [
        "resolved",
        "identified",
        "investigating",
    ]
    assert [u["body"] for u in v1["incident_updates"]] == [
        "Payments work again.",
        "A bad deploy; rolling back.",
        "Card payments fail.",
    ]

    summary = api.get(f"/pages/{page.slug}/api/v2/summary.json").json()
    assert summary["incidents"] == []  # the summary lists unresolved incidents only
    assert {c["id"]: c["status"] for c in summary["components"]} == {
        checkout.id: "operational",
        search.id: "operational",
    }
    assert summary["status"]["indicator"] == "none"
    public = api.get(f"/pages/{page.slug}/api/v2/incidents.json").json()["incidents"]
    assert [(i["id"], i["status"], i["impact"]) for i in public] == [
        (incident_id, "resolved", "major")
    ]
    assert [u["status"] for u in public[0]["incident_updates"]] == [
        "resolved",
        "identified",
        "investigating",
    ]

    instatus = api.get(f"/instatus/v1/{page.id}/incidents/{incident_id}").json()
    assert (instatus["status"], instatus["resolved"] is not None) == ("RESOLVED", True)
    assert {c["id"]: c["status"] for c in instatus["components"]} == {
        checkout.id: "OPERATIONAL",
        search.id: "OPERATIONAL",
    }
