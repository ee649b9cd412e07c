"""``/v1/``, Statuspage's management API, through HTTP: auth and errors as Statuspage answers
them, every resource, form bodies, and what our own API then shows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from dialects.statuspage_v1 import urls
from dialects.statuspage_v1.base import V1View
from incidents.services import incident_change, incident_create
from maintenances.services import maintenance_create
from subscribers.models import Subscriber
from tests.factories import (
    ComponentFactory,
    ComponentGroupFactory,
    OrganizationFactory,
    StatusPageFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1(make_client, organization):
    """``Authorization: OAuth <key>`` with every scope on the ``acme`` organization."""

    def make(scopes="all", page_ids=None):
        keyed = make_client(organization=organization, scopes=scopes, page_ids=page_ids)
        keyed.client.credentials(HTTP_AUTHORIZATION=f"OAuth {keyed.token}")
        return keyed

    return make


@pytest.fixture
def sp(v1):
    return v1()


def test_without_a_key_statuspage_clients_get_401_with_its_error_shape(page):
    response = APIClient().get("/v1/pages")
    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert response["WWW-Authenticate"].startswith("OAuth")

    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="OAuth spk_nope_nope")
    assert wrong.get("/v1/pages").status_code == 401
    assert isinstance(wrong.get("/v1/pages").json()["error"], str)


def test_the_key_may_come_as_api_key_in_the_query(sp, page):
    response = APIClient().get(f"/v1/pages/{page.id}?api_key={sp.token}")
    assert response.status_code == 200
    assert response.json()["id"] == page.id


def test_a_key_without_the_scope_gets_403_and_changes_nothing(v1, page):
    reader = v1(scopes="")
    response = reader.post(
        f"/v1/pages/{page.id}/components", {"component": {"name": "API"}}, format="json"
    )
    assert response.status_code == 403
    assert "pages:write" in response.json()["error"]
    assert reader.get(f"/v1/pages/{page.id}/components").json() == []
    assert reader.get(f"/v1/pages/{page.id}/subscribers").status_code == 403


def test_v1_also_answers_on_the_pages_own_host(sp, page):
    page.custom_domain = "status.acme.example"
    page.save()
    for host in ("acme.localhost:8000", "status.acme.example"):
        response = sp.get(f"/v1/pages/{page.id}", HTTP_HOST=host)
        assert (response.status_code, response.json()["id"]) == (200, page.id)


def test_another_organizations_page_or_one_outside_the_keys_pages_is_404(v1, page):
    other = StatusPageFactory(organization=OrganizationFactory(slug="other"), slug="other")
    response = v1().get(f"/v1/pages/{other.id}/incidents")
    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    mine_elsewhere = StatusPageFactory(organization=page.organization, slug="acme-two")
    limited = v1(page_ids=[page.id])
    assert limited.get(f"/v1/pages/{mine_elsewhere.id}").status_code == 404
    assert [p["id"] for p in limited.get("/v1/pages").json()] == [page.id]


def test_unknown_paths_and_methods_answer_in_statuspage_error_shape(sp, page):
    missing = sp.get("/v1/nothing/here")
    assert (missing.status_code, set(missing.json())) == (404, {"error"})
    not_allowed = sp.post(f"/v1/pages/{page.id}/incidents/unresolved", {}, format="json")
    assert (not_allowed.status_code, set(not_allowed.json())) == (405, {"error"})


def test_invalid_bodies_are_422_and_unreadable_ones_400(sp, page):
    flat = sp.post(f"/v1/pages/{page.id}/incidents", {"name": "Flat"}, format="json")
    assert flat.status_code == 422
    assert "incident" in flat.json()["error"]
    bad_status = sp.post(
        f"/v1/pages/{page.id}/components",
        {"component": {"name": "API", "status": "on_fire"}},
        format="json",
    )
    assert bad_status.status_code == 422
    assert bad_status.json()["error"].startswith("status:")
    unknown_component = sp.post(
        f"/v1/pages/{page.id}/incidents",
        {"incident": {"name": "X", "components": {"cmp_nope": "major_outage"}}},
        format="json",
    )
    assert unknown_component.status_code == 422
    for body in ([], {"incident": "text"}, {"incident": {"name": "X", "components": ["a"]}}):
        assert sp.post(f"/v1/pages/{page.id}/incidents", body, format="json").status_code == 422
    broken = sp.generic(
        "POST", f"/v1/pages/{page.id}/incidents", b"{not json", content_type="application/json"
    )
    assert (broken.status_code, set(broken.json())) == (400, {"error"})


def test_requests_refused_before_any_view_still_get_statuspage_error_shape(sp, page, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    too_large = sp.post(
        f"/v1/pages/{page.id}/incidents", {"incident": {"body": "x" * 2000}}, format="json"
    )
    assert (too_large.status_code, set(too_large.json())) == (413, {"error"})
    nul = sp.get(f"/v1/pages/{page.id}/incidents?q=a%00b")
    assert (nul.status_code, set(nul.json())) == (400, {"error"})
    assert isinstance(nul.json()["error"], str)


def test_rate_limited_keys_get_429_with_retry_after(sp, page, settings):
    settings.API_RATE_LIMIT = "2/min"
    assert sp.get("/v1/pages").status_code == 200
    assert sp.get("/v1/pages").status_code == 200
    limited = sp.get("/v1/pages")
    assert limited.status_code == 429
    assert set(limited.json()) == {"error"}
    assert int(limited["Retry-After"]) >= 1


def test_pages_list_show_and_patch(sp, page):
    listed = sp.get("/v1/pages.json").json()
    assert [(p["id"], p["subdomain"], p["time_zone"]) for p in listed] == [(page.id, "acme", "UTC")]
    patched = sp.patch(
        f"/v1/pages/{page.id}",
        {"page": {"name": "Acme Cloud", "time_zone": "Europe/Paris", "subdomain": "acme-cloud"}},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["name"], patched.json()["subdomain"]) == ("Acme Cloud", "acme-cloud")
    ours = sp.get(f"/v1/pages/{page.id}").json()
    assert (ours["name"], ours["time_zone"]) == ("Acme Cloud", "Europe/Paris")
    bad = sp.patch(f"/v1/pages/{page.id}", {"page": {"time_zone": "Mars/Olympus"}}, format="json")
    assert bad.status_code == 422


def test_components_crud_with_group_and_only_show_if_degraded(sp, page):
    group = ComponentGroupFactory(page=page, name="Core")
    created = sp.post(
        f"/v1/pages/{page.id}/components",
        {
            "component": {
                "name": "API",
                "description": "Public API",
                "group_id": group.id,
                "only_show_if_degraded": True,
                "status": "degraded_performance",
            }
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    component = created.json()
    assert (component["group_id"], component["only_show_if_degraded"], component["status"]) == (
        group.id,
        True,
        "degraded_performance",
    )
    assert component["group"] is False
    url = f"/v1/pages/{page.id}/components/{component['id']}"
    patched = sp.patch(
        url, {"component": {"status": "operational", "group_id": None}}, format="json"
    )
    assert (patched.json()["status"], patched.json()["group_id"]) == ("operational", None)
    assert sp.put(url, {"component": {"name": "REST API"}}, format="json").json()["name"] == (
        "REST API"
    )
    assert sp.delete(url).status_code == 204
    assert sp.get(url).status_code == 404


def test_deleting_a_component_an_open_incident_uses_is_422(sp, page):
    component = ComponentFactory(page=page)
    incident_create(
        page=page,
        name="Down",
        component_statuses=[{"component_id": component.id, "status": "major_outage"}],
    )
    response = sp.delete(f"/v1/pages/{page.id}/components/{component.id}")
    assert response.status_code == 422
    assert set(response.json()) == {"error"}


def test_component_groups_crud(sp, page):
    first, second = ComponentFactory(page=page), ComponentFactory(page=page)
    created = sp.post(
        f"/v1/pages/{page.id}/component-groups",
        {
            "description": "Core services",
            "component_group": {"name": "Core", "components": [first.id]},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    group = created.json()
    assert (group["name"], group["description"], group["components"]) == (
        "Core",
        "Core services",
        [first.id],
    )
    url = f"/v1/pages/{page.id}/component-groups/{group['id']}"
    patched = sp.patch(
        url,
        {"component_group": {"name": "Platform", "components": [second.id, first.id]}},
        format="json",
    )
    assert (patched.json()["name"], patched.json()["components"]) == (
        "Platform",
        [second.id, first.id],
    )
    assert [g["id"] for g in sp.get(f"/v1/pages/{page.id}/component-groups").json()] == [
        group["id"]
    ]
    deleted = sp.delete(url)
    assert (deleted.status_code, deleted.json()["id"]) == (200, group["id"])
    assert sp.get(f"/v1/pages/{page.id}/components/{first.id}").json()["group_id"] is None


def test_a_form_encoded_incident_with_a_component_map_opens_like_a_json_one(sp, page):
    component = ComponentFactory(page=page)
    response = sp.client.generic(
        "POST",
        f"/v1/pages/{page.id}/incidents.json",
        "&".join(
            [
                "incident[name]=Checkout+down",
                "incident[status]=identified",
                "incident[body]=Card+payments+fail.",
                f"incident[components][{component.id}]=partial_outage",
                f"incident[component_ids][]={component.id}",
                "incident[deliver_notifications]=false",
            ]
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    incident = response.json()
    assert (incident["name"], incident["status"], incident["impact"]) == (
        "Checkout down",
        "identified",
        "major",
    )
    assert incident["incident_updates"][0]["deliver_notifications"] is False
    assert incident["incident_updates"][0]["affected_components"] == [
        {
            "code": component.id,
            "name": component.name,
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]


def test_incident_patch_changes_name_and_impact_without_publishing_an_update(sp, page):
    incident = incident_create(page=page, name="Slow", message="Looking.")
    url = f"/v1/pages/{page.id}/incidents/{incident.id}"
    patched = sp.patch(
        url, {"incident": {"name": "Slow API", "impact_override": "critical"}}, format="json"
    ).json()
    assert (patched["name"], patched["impact"], patched["impact_override"]) == (
        "Slow API",
        "critical",
        "critical",
    )
    assert len(patched["incident_updates"]) == 1
    wrong = sp.patch(url, {"incident": {"status": "in_progress"}}, format="json")
    assert wrong.status_code == 422


def test_editing_an_incident_updates_body_changes_its_text_everywhere(sp, api, page):
    incident = incident_create(page=page, name="Slow", message="Lookin.")
    update_id = incident.updates.get().id
    response = sp.patch(
        f"/v1/pages/{page.id}/incidents/{incident.id}/incident_updates/{update_id}",
        {"incident_update": {"body": "Looking into it."}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["body"]) == (update_id, "Looking into it.")
    ours = api.get(f"/api/v1/status-pages/{page.id}/incidents/{incident.id}").json()
    assert [u["message"] for u in ours["updates"]] == ["Looking into it."]
    assert (
        sp.patch(
            f"/v1/pages/{page.id}/incidents/{incident.id}/incident_updates/incu_nope",
            {"incident_update": {"body": "x"}},
            format="json",
        ).status_code
        == 404
    )


def test_a_backfilled_incident_is_resolved_history_that_notifies_nobody(sp, page):
    response = sp.post(
        f"/v1/pages/{page.id}/incidents",
        {
            "incident": {
                "name": "Last week's outage",
                "body": "Recorded afterwards.",
                "backfilled": True,
                "backfill_date": "2026-01-05",
            }
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    incident = response.json()
    assert incident["status"] == "resolved"
    assert incident["started_at"].startswith("2026-01-05")
    assert incident["incident_updates"][0]["deliver_notifications"] is False


def test_a_resolved_incidents_postmortem_is_its_postmortem_body(sp, page):
    incident = incident_create(page=page, name="Outage", status="resolved")
    incident_change(incident=incident, postmortem="## What happened\nA bad deploy.")
    shown = sp.get(f"/v1/pages/{page.id}/incidents/{incident.id}").json()
    assert shown["postmortem_body"] == "## What happened\nA bad deploy."
    assert shown["postmortem_published_at"] is not None


def test_deleting_an_incident_returns_it_and_it_is_gone(sp, page):
    incident = incident_create(page=page, name="Mistake")
    url = f"/v1/pages/{page.id}/incidents/{incident.id}"
    deleted = sp.delete(url)
    assert (deleted.status_code, deleted.json()["name"]) == (200, "Mistake")
    assert sp.get(url).status_code == 404


def test_scheduled_incidents_are_our_maintenance_windows(sp, api, page):
    component = ComponentFactory(page=page)
    now = timezone.now()
    running = maintenance_create(
        page=page,
        name="Running",
        start_at=now - datetime.timedelta(minutes=5),
        end_at=now + datetime.timedelta(hours=1),
        component_ids=[component.id],
    )
    response = sp.post(
        f"/v1/pages/{page.id}/incidents",
        {
            "incident": {
                "name": "Later",
                "status": "scheduled",
                "scheduled_for": (now + datetime.timedelta(days=1)).isoformat(),
                "scheduled_until": (now + datetime.timedelta(days=1, hours=1)).isoformat(),
                "components": {component.id: "under_maintenance"},
            }
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    later = response.json()
    assert later["id"].startswith("mnt_")
    assert later["scheduled_auto_in_progress"] is False  # Statuspage's default
    ids = lambda path: [i["id"] for i in sp.get(f"/v1/pages/{page.id}/incidents/{path}").json()]  # noqa: E731
    assert ids("upcoming") == [later["id"]]
    assert ids("active_maintenance") == [running.id]
    assert ids("scheduled") == [later["id"], running.id]
    assert ids("unresolved") == []
    assert [
        c["status"]
        for c in sp.get(f"/v1/pages/{page.id}/incidents/{running.id}").json()["components"]
    ] == ["under_maintenance"]

    started = sp.patch(
        f"/v1/pages/{page.id}/incidents/{later['id']}",
        {"incident": {"status": "in_progress", "body": "Started early."}},
        format="json",
    )
    assert started.json()["status"] == "in_progress"
    ours = api.get(f"/api/v1/status-pages/{page.id}/maintenances/{later['id']}").json()
    assert (ours["status"], ours["updates"][0]["message"]) == ("in_progress", "Started early.")
    assert (
        sp.patch(
            f"/v1/pages/{page.id}/incidents/{later['id']}",
            {"incident": {"status": "resolved"}},
            format="json",
        ).status_code
        == 422
    )
    moved = sp.patch(
        f"/v1/pages/{page.id}/incidents/{later['id']}",
        {"incident": {"name": "Later still", "scheduled_until": "2031-01-01T00:00:00Z"}},
        format="json",
    ).json()
    assert (moved["name"], moved["scheduled_until"]) == ("Later still", "2031-01-01T00:00:00.000Z")
    mixed = sp.post(
        f"/v1/pages/{page.id}/incidents",
        {
            "incident": {
                "name": "Mixed",
                "status": "investigating",
                "scheduled_for": "2030-01-01T00:00:00Z",
                "scheduled_until": "2030-01-01T01:00:00Z",
            }
        },
        format="json",
    )
    assert mixed.status_code == 422


def test_creating_an_incident_honours_idempotency_key(sp, page):
    body = {"incident": {"name": "Once"}}
    url = f"/v1/pages/{page.id}/incidents"
    first = sp.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    again = sp.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert len(sp.get(url).json()) == 1


def test_subscribers_list_create_and_unsubscribe(v1, page):
    component = ComponentFactory(page=page)
    writer = v1(scopes="subscribers:write")
    url = f"/v1/pages/{page.id}/subscribers"
    confirmed = writer.post(
        url,
        {
            "subscriber": {
                "email": "ops@example.com",
                "skip_confirmation_notification": True,
                "component_ids": [component.id],
            }
        },
        format="json",
    )
    assert confirmed.status_code == 201, confirmed.content
    assert (confirmed.json()["mode"], confirmed.json()["components"]) == ("email", [component.id])
    pending = writer.post(url, {"subscriber": {"email": "new@example.com"}}, format="json").json()
    sms = writer.post(
        url,
        {"subscriber": {"phone_number": "+14155550100", "skip_confirmation_notification": True}},
        format="json",
    ).json()
    assert sms["mode"] == "sms"
    assert [s["id"] for s in writer.get(url).json()] == [confirmed.json()["id"], sms["id"]]
    assert [s["id"] for s in writer.get(f"{url}?state=unconfirmed").json()] == [pending["id"]]
    assert [s["id"] for s in writer.get(f"{url}?type=sms").json()] == [sms["id"]]

    gone = writer.delete(f"{url}/{pending['id']}")
    assert (gone.status_code, gone.json()["email"]) == (200, "new@example.com")
    bulk = writer.post(
        f"{url}/unsubscribe", {"subscribers": f"{sms['id']},sub_unknown"}, format="json"
    )
    assert bulk.status_code == 202
    assert list(Subscriber.objects.values_list("id", flat=True)) == [confirmed.json()["id"]]
    assert v1(scopes="").get(url).status_code == 403


def test_lists_cost_the_same_whatever_their_size(sp, page, django_assert_max_num_queries):
    paths = ["pages", "components", "component-groups", "incidents", "subscribers"]

    def grow(count):
        groups = [ComponentGroupFactory(page=page) for _ in range(count)]
        components = [ComponentFactory(page=page, group=groups[i]) for i in range(count)]
        for index in range(count):
            incident_create(
                page=page,
                name=f"Incident {index}",
                component_statuses=[
                    {"component_id": c.id, "status": "major_outage"} for c in components[:3]
                ],
            )
            maintenance_create(
                page=page,
                name=f"Window {index}",
                start_at=timezone.now() + datetime.timedelta(days=1),
                end_at=timezone.now() + datetime.timedelta(days=2),
                component_ids=[components[index].id],
            )
            SubscriberFactory(page=page)

    def url(path):
        return "/v1/pages" if path == "pages" else f"/v1/pages/{page.id}/{path}"

    grow(2)
    small = {}
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            assert sp.get(url(path)).status_code == 200
        small[path] = len(captured)
    grow(12)
    for path in paths:
        with django_assert_max_num_queries(small[path]):
            response = sp.get(url(path))
        assert len(response.json()) > 2 or path == "pages"
    assert len(sp.get(f"{url('incidents')}?per_page=5&page=2").json()) == 5
    assert sp.get(f"{url('incidents')}?per_page=100&page=101").status_code == 422
    assert sp.get(f"{url('components')}?per_page=0").status_code == 422


def test_v1_has_its_own_openapi_document_covering_every_operation(client):
    document = client.get("/v1/openapi.json").json()
    validate(document)
    documented = set()
    for path, operations in document["paths"].items():
        for method in operations:
            view = resolve(path.replace("{", "x_").replace("}", "")).func.view_class
            assert hasattr(view, method), (path, method)
            documented.add((view, method))
    served = {
        (pattern.callback.view_class, method)
        for pattern in urls.urlpatterns
        if issubclass(getattr(pattern.callback, "view_class", object), V1View)
        for method in ("get", "post", "patch", "delete")
        if hasattr(pattern.callback.view_class, method)
    }
    assert served == documented
    ours = client.get("/api/v1/openapi.json").json()
    assert not [path for path in ours["paths"] if path.startswith("/v1/")]
