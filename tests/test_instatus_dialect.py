"""``/instatus/``, Instatus's API, through HTTP: every endpoint with Instatus's shapes and
upper-case statuses, its error body, auth and scopes, paging, and what the dialect writes as
the rest of the product shows it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from accounts.services import member_invite
from incidents.services import incident_change, incident_create
from metrics.services import metric_create, metric_points_submit
from tests.factories import ComponentFactory, ComponentGroupFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ins(api):
    return api


def url(page, rest=""):
    return f"/instatus/v1/{page.id}/{rest}".rstrip("/")


def test_without_a_key_instatus_clients_get_401_in_instatus_error_shape(page):
    response = APIClient().get("/instatus/v2/pages")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "Authentication credentials were not provided.",
        }
    }
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer spk_nope_nope")
    body = wrong.get("/instatus/v2/pages").json()
    assert body["error"]["code"] == "unauthenticated"
    assert set(body["error"]) == {"code", "message"}


def test_pages_list_with_the_status_derived_from_components(ins, page):
    one = ComponentFactory(page=page, name="API")
    ComponentFactory(page=page, name="Web")
    ComponentFactory(page=page, name="Docs")
    pages = ins.get("/instatus/v2/pages").json()
    assert [(p["id"], p["subdomain"], p["status"]) for p in pages] == [(page.id, "acme", "UP")]

    ins.put(url(page, f"components/{one.id}"), {"status": "MAJOROUTAGE"}, format="json")
    assert ins.get("/instatus/v2/pages").json()[0]["status"] == "ONEMAJOROUTAGE"
    incident_create(
        page=page,
        name="All down",
        component_statuses=[
            {"component_id": c.id, "status": "partial_outage"} for c in page.components.all()
        ],
    )
    # API in a major outage, the two others in a partial one: the worst is in one component.
    assert ins.get("/instatus/v2/pages").json()[0]["status"] == "ONEMAJOROUTAGE"
    for component in page.components.exclude(id=one.id)[:1]:
        ins.put(url(page, f"components/{component.id}"), {"status": "MAJOROUTAGE"}, format="json")
    assert ins.get("/instatus/v2/pages").json()[0]["status"] == "SOMEMAJOROUTAGE"
    for component in page.components.all():
        ins.put(url(page, f"components/{component.id}"), {"status": "MAJOROUTAGE"}, format="json")
    assert ins.get("/instatus/v2/pages").json()[0]["status"] == "ALLMAJOROUTAGE"


def test_an_open_incident_without_components_makes_the_page_have_issues(ins, page):
    ComponentFactory(page=page)
    ins.post(url(page, "incidents"), {"name": "Slow", "message": "Looking"}, format="json")
    incident_change(incident=page.incidents.get(), impact_override="minor")
    assert ins.get("/instatus/v2/pages").json()[0]["status"] == "HASISSUES"


def test_user_is_the_member_who_made_the_key_or_the_key_itself(ins, organization):
    user = ins.get("/instatus/v1/user").json()
    assert user["id"] == ins.key.id
    assert user["slug"] == "acme"
    assert user["name"] == "test key"


def test_components_list_create_show_change_delete(ins, page):
    group = ComponentGroupFactory(page=page, name="Core")
    created = ins.post(
        url(page, "components"),
        {
            "name": "API",
            "description": "The API",
            "status": "DEGRADEDPERFORMANCE",
            "grouped": True,
            "group": group.id,
            "showUptime": True,
            "translations": {},
        },
        format="json",
    )
    assert created.status_code == 200
    component = created.json()
    assert component["status"] == "DEGRADEDPERFORMANCE"
    assert component["group"]["id"] == group.id
    path = url(page, f"components/{component['id']}")
    assert ins.get(path).json()["name"] == "API"
    changed = ins.put(path, {"name": "Public API", "status": "MINOROUTAGE"}, format="json").json()
    # Instatus's MINOROUTAGE is our partial outage, and reads back as PARTIALOUTAGE.
    assert (changed["name"], changed["status"]) == ("Public API", "PARTIALOUTAGE")
    assert [c["id"] for c in ins.get(url(page, "components")).json()] == [component["id"]]
    assert ins.delete(path).json() == {"id": component["id"]}
    assert ins.get(path).status_code == 404


def test_component_refusals_are_400_in_instatus_error_shape(ins, page):
    response = ins.post(url(page, "components"), {"status": "BROKEN"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "status" in response.json()["error"]["message"]
    response = ins.post(url(page, "components"), {"description": "no name"}, format="json")
    assert response.json()["error"]["message"] == "name: This field is required."


def test_incident_lifecycle_with_updates(ins, page):
    api_component = ComponentFactory(page=page, name="API")
    web = ComponentFactory(page=page, name="Web")
    response = ins.post(
        url(page, "incidents"),
        {
            "name": "Rocket is going down",
            "message": "We are investigating.",
            "components": [api_component.id, web.id],
            "statuses": [{"id": api_component.id, "status": "MAJOROUTAGE"}],
            "status": "INVESTIGATING",
            "notify": False,
            "started": "2020-09-12 05:38:47.998",
        },
        format="json",
    )
    assert response.status_code == 200
    incident = response.json()
    assert incident["status"] == "INVESTIGATING"
    assert incident["started"] == "2020-09-12T05:38:47.998Z"
    assert {c["id"]: c["status"] for c in incident["components"]} == {
        api_component.id: "MAJOROUTAGE",
        web.id: "OPERATIONAL",
    }
    assert [u["message"] for u in incident["updates"]] == ["We are investigating."]
    assert incident["updates"][0]["messageHtml"] == "<p>We are investigating.</p>"

    updates = url(page, f"incidents/{incident['id']}/incident-updates")
    update = ins.post(
        updates,
        {
            "message": "Found it.",
            "status": "IDENTIFIED",
            "statuses": [{"id": api_component.id, "status": "PARTIALOUTAGE"}],
        },
        format="json",
    ).json()
    assert update["status"] == "IDENTIFIED"
    assert update["incident"]["status"] == "IDENTIFIED"
    assert [u["status"] for u in ins.get(updates).json()] == ["INVESTIGATING", "IDENTIFIED"]
    one = f"{updates}/{update['id']}"
    assert ins.get(one).json()["message"] == "Found it."
    assert (
        ins.put(one, {"message": "Found it: a bad deploy."}, format="json").json()["message"]
        == "Found it: a bad deploy."
    )
    assert ins.delete(one).json() == {"id": update["id"]}
    assert [u["status"] for u in ins.get(updates).json()] == ["INVESTIGATING"]
    first = ins.get(updates).json()[0]["id"]
    only = ins.delete(f"{updates}/{first}")
    assert only.status_code == 400
    assert set(only.json()) == {"error"}

    detail = url(page, f"incidents/{incident['id']}")
    resolved = ins.put(
        detail,
        {
            "name": "Rocket went down",
            "status": "RESOLVED",
            "message": "Fixed.",
            "statuses": [{"id": api_component.id, "status": "OPERATIONAL"}],
        },
        format="json",
    ).json()
    assert (resolved["name"], resolved["status"]) == ("Rocket went down", "RESOLVED")
    assert resolved["resolved"] is not None
    listed = ins.get(url(page, "incidents") + "?status=RESOLVED").json()
    assert [i["id"] for i in listed] == [incident["id"]]
    assert ins.get(url(page, "incidents") + "?status=INVESTIGATING").json() == []
    assert ins.delete(detail).json() == {"id": incident["id"]}
    assert ins.get(detail).status_code == 404


def test_an_incident_with_an_unknown_status_or_another_pages_component_is_refused(ins, page):
    other = ComponentFactory(page=StatusPageFactory(organization=page.organization))
    bad_status = ins.post(url(page, "incidents"), {"name": "x", "status": "BROKEN"}, format="json")
    assert bad_status.status_code == 400
    assert bad_status.json()["error"]["message"].startswith("status:")
    foreign = ins.post(
        url(page, "incidents"),
        {"name": "x", "statuses": [{"id": other.id, "status": "MAJOROUTAGE"}]},
        format="json",
    )
    assert foreign.status_code == 400
    # The service's field (component_statuses) is named as Instatus's client sent it.
    assert foreign.json()["error"]["message"].startswith("statuses")


def test_maintenance_lifecycle_with_updates(ins, page):
    component = ComponentFactory(page=page)
    start = timezone.now() + datetime.timedelta(days=1)
    response = ins.post(
        url(page, "maintenances"),
        {
            "name": "Database upgrade",
            "message": "We will upgrade the database.",
            "components": [component.id],
            "start": start.isoformat(),
            "duration": 90,
            "notify": True,
            "autoStart": False,
            "autoEnd": False,
        },
        format="json",
    )
    assert response.status_code == 200
    maintenance = response.json()
    assert (maintenance["status"], maintenance["duration"]) == ("NOTSTARTEDYET", 90)
    assert [c["id"] for c in maintenance["components"]] == [component.id]
    updates = url(page, f"maintenances/{maintenance['id']}/maintenance-updates")
    started = ins.post(updates, {"message": "Started.", "status": "INPROGRESS"}, format="json")
    assert started.json()["maintenance"]["status"] == "INPROGRESS"
    assert started.json()["maintenance"]["components"][0]["status"] == "UNDERMAINTENANCE"
    assert ins.get(url(page, "components")).json()[0]["status"] == "UNDERMAINTENANCE"
    update_id = started.json()["id"]
    assert ins.get(f"{updates}/{update_id}").json()["status"] == "INPROGRESS"
    assert (
        ins.put(f"{updates}/{update_id}", {"message": "Underway."}, format="json").json()["message"]
        == "Underway."
    )
    assert ins.delete(f"{updates}/{update_id}").json() == {"id": update_id}
    detail = url(page, f"maintenances/{maintenance['id']}")
    done = ins.put(detail, {"status": "COMPLETED", "message": "Done.", "name": "DB"}, format="json")
    assert (done.json()["status"], done.json()["name"]) == ("COMPLETED", "DB")
    assert [m["id"] for m in ins.get(url(page, "maintenances")).json()] == [maintenance["id"]]
    assert ins.delete(detail).json() == {"id": maintenance["id"]}


def test_a_maintenance_needs_a_start_and_an_end_or_duration(ins, page):
    response = ins.post(url(page, "maintenances"), {"name": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "start: This field is required."
    start = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    ends_first = ins.post(
        url(page, "maintenances"),
        {"name": "x", "start": start, "end": "2001-01-01T00:00:00Z"},
        format="json",
    )
    assert ends_first.status_code == 400


def test_templates_team_subscribers_and_metrics(ins, page, organization):
    component = ComponentFactory(page=page)
    template = ins.post(
        url(page, "templates"),
        {
            "type": "INCIDENT",
            "name": "Outage",
            "message": "We are on it.",
            "status": "INVESTIGATING",
            "components": [{"id": component.id, "status": "MAJOROUTAGE"}],
        },
        format="json",
    ).json()
    assert (template["type"], template["status"]) == ("INCIDENT", "INVESTIGATING")
    ins.post(url(page, "templates"), {"type": "MAINTENANCE", "name": "Upgrade"}, format="json")
    assert [(t["name"], t["type"]) for t in ins.get(url(page, "templates")).json()] == [
        ("Outage", "INCIDENT"),
        ("Upgrade", "MAINTENANCE"),
    ]

    member_invite(organization=organization, email="ada@example.com", role="editor")
    team = ins.get(url(page, "team")).json()
    assert [(m["user"]["email"], m["role"]) for m in team] == [("ada@example.com", "EDITOR")]

    subscriber = ins.post(
        url(page, "subscribers"),
        {"email": "bob@example.com", "all": True, "autoConfirm": True},
        format="json",
    ).json()
    assert (subscriber["email"], subscriber["confirmed"], subscriber["all"]) == (
        "bob@example.com",
        True,
        True,
    )
    assert [s["id"] for s in ins.get(url(page, "subscribers")).json()] == [subscriber["id"]]
    assert ins.delete(url(page, f"subscribers/{subscriber['id']}")).status_code == 200
    assert ins.get(url(page, "subscribers")).json() == []

    metric = ins.post(url(page, "metrics"), {"name": "Latency", "suffix": "ms"}, format="json")
    assert metric.json()["name"] == "Latency"
    from metrics.models import Metric

    now = timezone.now().replace(microsecond=0)
    metric_points_submit(metric=Metric.objects.get(), points=[(now, 42.0)], now=now)
    listed = ins.get(url(page, "metrics")).json()
    assert listed[0]["data"] == [{"timestamp": int(now.timestamp() * 1000), "value": 42.0}]


def test_an_overlong_address_or_metric_name_is_refused_by_the_service_in_instatus_terms(ins, page):
    cases = [
        ("subscribers", {"email": "a" * 250 + "@x.io"}, "email"),
        ("subscribers", {"phone": "1" * 65}, "phone"),
        ("subscribers", {"webhook": "https://example.com/" + "x" * 2030}, "webhook"),
        ("metrics", {"name": "x" * 256}, "name"),
    ]
    for path, body, field in cases:
        response = ins.post(url(page, path), body, format="json")
        assert response.status_code == 400, (body, response.content)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert error["message"].startswith(f"{field}: Ensure this field has no more than")
    assert ins.get(url(page, "subscribers")).json() == []
    assert ins.get(url(page, "metrics")).json() == []


def test_scopes_apply_as_on_our_own_api(make_client, organization, page):
    reader = make_client(organization=organization, scopes="")
    assert reader.get(url(page, "components")).status_code == 200
    refused = reader.post(url(page, "incidents"), {"name": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert reader.get(url(page, "subscribers")).status_code == 403
    assert reader.post(url(page, "components"), {"name": "x"}, format="json").status_code == 403


def test_another_organizations_page_or_a_page_outside_the_keys_pages_is_404(
    make_client, organization, page
):
    stranger = make_client(organization=StatusPageFactory().organization)
    response = stranger.get(url(page, "components"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    limited = make_client(
        organization=organization,
        page_ids=[StatusPageFactory(organization=organization, slug="other").id],
    )
    assert limited.get(url(page, "incidents")).status_code == 404
    assert [p["subdomain"] for p in limited.get("/instatus/v2/pages").json()] == ["other"]
    assert APIClient().get("/instatus/v1/nowhere/at/all").json()["error"]["code"] == "not_found"


def test_an_idempotency_key_is_optional_and_honoured_when_sent(ins, page):
    first = ins.post(
        url(page, "incidents"), {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    again = ins.post(
        url(page, "incidents"), {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert page.incidents.count() == 1


def test_paging_with_page_and_per_page(ins, page):
    for index in range(5):
        ComponentFactory(page=page, name=f"C{index}", position=index)
    assert [c["name"] for c in ins.get(url(page, "components") + "?page=2&per_page=2").json()] == [
        "C2",
        "C3",
    ]
    assert ins.get(url(page, "components") + "?per_page=101").status_code == 400


def test_lists_cost_the_same_whatever_their_size(ins, page, django_assert_max_num_queries):
    paths = [
        "components",
        "incidents",
        "maintenances",
        "templates",
        "team",
        "subscribers",
        "metrics",
    ]

    def grow(count):
        components = [
            ComponentFactory(page=page, group=ComponentGroupFactory(page=page))
            for _ in range(count)
        ]
        for index in range(count):
            ins.post(
                url(page, "incidents"),
                {
                    "name": f"I{index}",
                    "statuses": [{"id": c.id, "status": "MAJOROUTAGE"} for c in components[:3]],
                },
                format="json",
            )
            start = (timezone.now() + datetime.timedelta(days=1 + index)).isoformat()
            ins.post(
                url(page, "maintenances"),
                {
                    "name": f"M{index}",
                    "start": start,
                    "duration": 30,
                    "components": [c.id for c in components[:3]],
                },
                format="json",
            )
            ins.post(url(page, "templates"), {"name": f"T{index}"}, format="json")
            ins.post(url(page, "subscribers"), {"email": f"s{index}@example.com"}, format="json")
            metric_create(page=page, name=f"M{index}")

    grow(2)
    small = {}
    for path in ["/instatus/v2/pages", *(url(page, p) for p in paths)]:
        with CaptureQueriesContext(connection) as captured:
            assert ins.get(path).status_code == 200
        small[path] = len(captured)
    grow(10)
    for path, count in small.items():
        with django_assert_max_num_queries(count):
            assert ins.get(path).status_code == 200


def test_what_instatus_writes_shows_in_our_api_and_the_public_json(ins, page):
    component = ComponentFactory(page=page, name="API")
    incident = ins.post(
        url(page, "incidents"),
        {
            "name": "Errors",
            "message": "Investigating.",
            "statuses": [{"id": component.id, "status": "MAJOROUTAGE"}],
        },
        format="json",
    ).json()
    ours = ins.get(f"/api/v1/status-pages/{page.id}/incidents/{incident['id']}").json()
    assert (ours["name"], ours["status"]) == ("Errors", "investigating")
    summary = APIClient().get(f"/pages/{page.slug}/api/v2/summary.json").json()
    assert [i["id"] for i in summary["incidents"]] == [incident["id"]]
    assert summary["components"][0]["status"] == "major_outage"


def test_instatus_has_its_own_openapi_document_covering_every_route(client):
    document = client.get("/instatus/openapi.json").json()
    validate(document)
    assert {
        "/v2/pages",
        "/v1/user",
        "/v1/{page_id}/components",
        "/v1/{page_id}/team",
        "/v1/{page_id}/incidents/{incident_id}/incident-updates/{update_id}",
        "/v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{update_id}",
        "/v1/{page_id}/subscribers/{subscriber_id}",
        "/v1/{page_id}/metrics",
        "/v1/{page_id}/templates",
    } <= set(document["paths"])
