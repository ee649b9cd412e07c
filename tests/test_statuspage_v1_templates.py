"""``/v1/pages/{page_id}/incident_templates`` over HTTP: Statuspage's template bodies and
objects on top of our incident and maintenance templates, which our own API then shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from pagetemplates.services import template_create
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1(make_client, organization):
    def make(scopes="all"):
        keyed = make_client(organization=organization, scopes=scopes)
        keyed.client.credentials(HTTP_AUTHORIZATION=f"OAuth {keyed.token}")
        return keyed

    return make


@pytest.fixture
def sp(v1):
    return v1()


def _url(page) -> str:
    return f"/v1/pages/{page.id}/incident_templates"


def test_a_statuspage_template_becomes_our_incident_template(sp, api, page):
    checkout = ComponentFactory(page=page, name="Checkout")
    search = ComponentFactory(page=page, name="Search")
    response = sp.post(
        _url(page),
        {
            "template": {
                "name": "Payments down",
                "title": "Checkout errors",
                "body": "We are investigating failed payments.",
                "group_id": "tplgrp_1",
                "update_status": "identified",
                "should_tweet": True,
                "should_send_notifications": False,
                "component_ids": [search.id, checkout.id],
            }
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id"].startswith("tpl_")
    assert {k: v for k, v in created.items() if k not in ("id", "components")} == {
        "name": "Payments down",
        "title": "Checkout errors",
        "body": "We are investigating failed payments.",
        "group_id": None,  # no template groups here: accepted, ignored
        "update_status": "identified",
        "should_tweet": False,  # nothing is tweeted
        "should_send_notifications": False,
    }
    assert [(c["id"], c["name"], c["status"]) for c in created["components"]] == [
        (search.id, "Search", "operational"),
        (checkout.id, "Checkout", "operational"),
    ]
    assert sp.get(_url(page)).json() == [created]

    ours = api.get(f"/api/v1/status-pages/{page.id}/incident-templates/{created['id']}").json()
    assert (ours["name"], ours["title"], ours["message"], ours["status"]) == (
        "Payments down",
        "Checkout errors",
        "We are investigating failed payments.",
        "identified",
    )
    assert ours["notify_subscribers"] is False
    assert ours["component_statuses"] == [
        {"component_id": search.id, "status": "operational"},
        {"component_id": checkout.id, "status": "operational"},
    ]


def test_a_template_with_a_maintenance_status_becomes_our_maintenance_template(sp, api, page):
    database = ComponentFactory(page=page, name="Database")
    response = sp.post(
        _url(page),
        {
            "template": {
                "name": "DB upgrade",
                "title": "Database upgrade",
                "body": "Checkout will be read-only.",
                "update_status": "scheduled",
                "component_ids": [database.id],
            }
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    template = response.json()
    assert (template["update_status"], template["should_send_notifications"]) == (
        "scheduled",
        True,
    )
    ours = api.get(f"/api/v1/status-pages/{page.id}/maintenance-templates").json()["data"]
    assert [(t["id"], t["status"], t["component_ids"]) for t in ours] == [
        (template["id"], "scheduled", [database.id])
    ]
    assert not IncidentTemplate.objects.exists()


def test_the_list_shows_both_kinds_by_name_in_statuspages_pages(sp, page):
    template_create(model=IncidentTemplate, page=page, name="b incident", status="investigating")
    template_create(model=MaintenanceTemplate, page=page, name="a window", status="scheduled")
    template_create(model=IncidentTemplate, page=page, name="c bare")
    listed = sp.get(_url(page)).json()
    assert [(t["name"], t["update_status"]) for t in listed] == [
        ("a window", "scheduled"),
        ("b incident", "investigating"),
        ("c bare", None),
    ]
    assert [t["name"] for t in sp.get(f"{_url(page)}?per_page=2&page=2").json()] == ["c bare"]
    assert sp.get(f"{_url(page)}.json?per_page=1").json() == listed[:1]


def test_form_encoded_templates_are_read_like_json_ones(sp, page):
    component = ComponentFactory(page=page)
    response = sp.client.generic(
        "POST",
        f"{_url(page)}.json",
        "&".join(
            [
                "template[name]=Form",
                "template[title]=Outage",
                "template[body]=Looking.",
                "template[update_status]=investigating",
                f"template[component_ids][]={component.id}",
            ]
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert [c["id"] for c in response.json()["components"]] == [component.id]


def test_invalid_templates_are_422_in_statuspage_error_shape(sp, page):
    other_page = StatusPageFactory(organization=page.organization, slug="other")
    elsewhere = ComponentFactory(page=other_page)
    base = {"name": "T", "title": "Title", "body": "Body"}
    for body in (
        {"name": "Flat"},
        {"template": {"title": "No name", "body": ""}},
        {"template": {**base, "update_status": "postmortem"}},
        {"template": {**base, "update_status": "on_fire"}},
        {"template": {**base, "component_ids": [elsewhere.id]}},
        {"template": {**base, "title": "{{ not a name }}"}},
    ):
        response = sp.post(_url(page), body, format="json")
        assert response.status_code == 422, (body, response.content)
        assert isinstance(response.json()["error"], str)
    postmortem = sp.post(_url(page), {"template": {**base, "update_status": "postmortem"}})
    assert "Postmortem templates are not supported" in postmortem.json()["error"]
    assert sp.get(_url(page)).json() == []


def test_writing_templates_needs_incidents_write_and_other_pages_are_404(v1, page):
    template_create(model=IncidentTemplate, page=page, name="Existing")
    reader = v1(scopes="")
    refused = reader.post(
        _url(page), {"template": {"name": "T", "title": "T", "body": "B"}}, format="json"
    )
    assert refused.status_code == 403
    assert "incidents:write" in refused.json()["error"]
    assert [t["name"] for t in reader.get(_url(page)).json()] == ["Existing"]

    theirs = StatusPageFactory(organization=OrganizationFactory(slug="them"), slug="them")
    template_create(model=IncidentTemplate, page=theirs, name="Theirs")
    for response in (
        v1().get(_url(theirs)),
        v1().post(_url(theirs), {"template": {"name": "T", "title": "T", "body": ""}}),
    ):
        assert (response.status_code, set(response.json())) == (404, {"error"})
    assert IncidentTemplate.objects.filter(page=theirs).count() == 1
    # Statuspage has no show, patch or delete for templates: neither do we, under /v1/.
    template = IncidentTemplate.objects.get(page=page)
    assert v1().get(f"{_url(page)}/{template.id}").status_code == 404
    assert v1().delete(f"{_url(page)}/{template.id}").status_code == 404


def test_creating_a_template_honours_idempotency_key(sp, page):
    body = {"template": {"name": "Once", "title": "Once", "body": ""}}
    first = sp.post(_url(page), body, format="json", HTTP_IDEMPOTENCY_KEY="tpl-1")
    again = sp.post(_url(page), body, format="json", HTTP_IDEMPOTENCY_KEY="tpl-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert IncidentTemplate.objects.count() == 1


def test_an_incidents_metadata_is_accepted_but_must_be_an_object(sp, page):
    url = f"/v1/pages/{page.id}/incidents"
    opened = sp.post(
        url, {"incident": {"name": "Outage", "metadata": {"jira": {"id": "OPS-1"}}}}, format="json"
    )
    assert opened.status_code == 201, opened.content
    assert opened.json()["metadata"] == {}
    refused = sp.post(url, {"incident": {"name": "Outage", "metadata": "text"}}, format="json")
    assert refused.status_code == 422
    assert refused.json()["error"].startswith("metadata:")


def test_listing_templates_costs_the_same_whatever_their_number(
    sp, page, django_assert_max_num_queries
):
    components = [ComponentFactory(page=page) for _ in range(3)]

    def grow(count):
        start = IncidentTemplate.objects.count()
        for index in range(start, start + count):
            template_create(
                model=IncidentTemplate,
                page=page,
                name=f"Incident {index}",
                component_statuses=[
                    {"component_id": c.id, "status": "major_outage"} for c in components
                ],
            )
            template_create(
                model=MaintenanceTemplate,
                page=page,
                name=f"Window {index}",
                component_ids=[c.id for c in components],
            )

    grow(2)
    with CaptureQueriesContext(connection) as captured:
        assert len(sp.get(_url(page)).json()) == 4
    grow(12)
    with django_assert_max_num_queries(len(captured)):
        response = sp.get(_url(page))
    assert len(response.json()) == 28
    assert all(len(t["components"]) == 3 for t in response.json())
