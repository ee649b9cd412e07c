"""Operators make, rotate and inspect integrations in the admin site, through the services."""

import json
import re

import pytest
from django.test import Client

from incidents.models import Incident
from integrations.models import Integration, IntegrationEvent
from integrations.services import integration_create
from tests.factories import ComponentFactory, OrganizationFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

FIRING = {
    "id": "checkout-5xx",
    "status": "firing",
    "name": "<b>HighErrorRate</b>",
    "labels": {"service": "checkout"},
}


def _url_in(html: str) -> str:
    return re.search(r'id="inbound-url"[^>]*>([^<]+)</code>', html).group(1).strip()


def test_creating_an_integration_shows_its_url_once_and_it_works(operator, page):
    checkout = ComponentFactory(page=page, name="Checkout")
    assert operator.get("/admin/integrations/integration/add/").status_code == 200
    rules = [
        {"match": {"service": "checkout"}, "component_ids": [checkout.id], "status": "major_outage"}
    ]
    response = operator.post(
        "/admin/integrations/integration/add/",
        {
            "page": page.id,
            "kind": "generic",
            "name": "Scripts",
            "rules": json.dumps(rules),
            "notify_subscribers": "on",
            "auto_resolve": "on",
            "open_after_seconds": "0",
            "incident_name_template": "{{ alertname }}",
            "incident_message_template": "{{ summary }}",
            "signing_secret": "",
        },
    )
    assert response.status_code == 200, response.content
    url = _url_in(response.content.decode())
    path = url[url.index("/integrations/") :]
    integration = Integration.objects.get()
    change = operator.get(f"/admin/integrations/integration/{integration.id}/change/").content
    assert path.encode() not in change and b"Rotate token" in change

    answer = Client().post(path, json.dumps(FIRING), content_type="application/json")
    assert answer.status_code == 202
    assert Incident.objects.get().name == "<b>HighErrorRate</b>"

    event = IntegrationEvent.objects.get()
    listed = operator.get(
        f"/admin/integrations/integrationevent/?integration__id__exact={integration.id}"
    )
    assert listed.status_code == 200 and b"opened incident" in listed.content
    shown = operator.get(f"/admin/integrations/integrationevent/{event.id}/change/").content
    assert b"&lt;b&gt;HighErrorRate&lt;/b&gt;" in shown and b"<b>HighErrorRate</b>" not in shown
    assert b"rule 0 matches" in shown and b"opened incident" in shown


def test_a_bad_rule_comes_back_on_the_form(operator, page):
    response = operator.post(
        "/admin/integrations/integration/add/",
        {
            "page": page.id,
            "kind": "alertmanager",
            "name": "Prometheus",
            "rules": json.dumps(
                [{"match": {"a": "~("}, "component_ids": ["cmp_x"], "status": "major_outage"}]
            ),
            "open_after_seconds": "0",
            "incident_name_template": "{{ alertname }}",
            "incident_message_template": "",
        },
    )
    assert response.status_code == 200
    assert b"not a valid regular expression" in response.content
    assert not Integration.objects.exists()


def test_rotating_the_token_in_the_admin_retires_the_old_url(operator, page):
    integration, token = integration_create(page=page, kind="generic", name="Scripts")
    confirm = operator.get(f"/admin/integrations/integration/{integration.id}/rotate-token/")
    assert confirm.status_code == 200
    rotated = operator.post(f"/admin/integrations/integration/{integration.id}/rotate-token/")
    new_url = _url_in(rotated.content.decode())
    assert token not in new_url
    assert (
        Client().post(f"/integrations/{token}", b"{}", content_type="application/json").status_code
        == 404
    )
    new_path = new_url[new_url.index("/integrations/") :]
    assert (
        Client().post(new_path, json.dumps(FIRING), content_type="application/json").status_code
        == 202
    )


def test_an_operator_cannot_see_or_rotate_another_organizations_integration(operator, page):
    other = StatusPageFactory(organization=OrganizationFactory(slug="globex"), slug="globex")
    integration, _ = integration_create(page=other, kind="generic", name="Globex secret")
    assert b"Globex secret" not in operator.get("/admin/integrations/integration/").content
    rotate = operator.post(f"/admin/integrations/integration/{integration.id}/rotate-token/")
    assert rotate.status_code == 404
