"""The same bad input, sent through every way into the product, is refused by every one of
them, each in its own dialect's error shape, and nothing is written. The rules live in the
services, so an entrance cannot forget one.

An entrance is a small adapter: for each case it can express, a method that sends the case's
bad input in its dialect and returns what came back with the name the dialect gives the field;
``refused`` checks the answer has the dialect's error shape and names that field. Adding an
entrance is adding one adapter to ``ENTRANCES``. A dialect that cannot express a case (no
page edits, no templates) simply has no method for it."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import Incident, IncidentUpdate
from incidents.services import incident_create
from maintenances.models import Maintenance, MaintenanceUpdate
from notifications.models import NotificationEvent
from pagetemplates.models import IncidentTemplate
from statuspages.models import MESSAGE_MAX_LENGTH, StatusPage
from subscribers.models import Subscriber
from tests.factories import ComponentFactory, MembershipFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (MESSAGE_MAX_LENGTH + 1)
BAD_TIME_ZONE = "Mars/Olympus_Mons"
BAD_DOMAIN = "not a domain!"
# Scheduled is a status of maintenances (Statuspage's scheduled incidents), never of an incident.
NOT_AN_INCIDENT_STATUS = "scheduled"


@dataclass
class World:
    page: StatusPage
    component: object
    foreign_component: object  # on another page of the same organization
    incident: Incident
    template: IncidentTemplate  # its message needs {{ customer }}
    api: APIClient
    v1: APIClient
    operator: Client
    inbound_path: str


@pytest.fixture
def world(make_client, organization, page):
    component = ComponentFactory(page=page, name="API")
    other_page = StatusPageFactory(organization=organization, name="Docs", slug="docs")
    incident = incident_create(page=page, name="Errors on checkout")
    template = IncidentTemplate.objects.create(
        page=page, name="Outage", title="Outage", message="Sorry, {{ customer }}."
    )
    api = make_client(organization=organization).client
    keyed = make_client(organization=organization, name="statuspage client")
    v1 = keyed.client
    v1.credentials(HTTP_AUTHORIZATION=f"OAuth {keyed.token}")
    operator = Client()
    user = get_user_model().objects.create_user("olivia", password="pw", is_staff=True)
    MembershipFactory(organization=organization, user=user)
    operator.force_login(user)
    created = api.post(
        f"/api/v1/status-pages/{page.id}/integrations",
        {
            "kind": "generic",
            "name": "alerts",
            "rules": [{"match": {}, "component_ids": [component.id], "status": "major_outage"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    return World(
        page=page,
        component=component,
        foreign_component=ComponentFactory(page=other_page, name="Search"),
        incident=incident,
        template=template,
        api=api,
        v1=v1,
        operator=operator,
        inbound_path=created.json()["inbound_url"].removeprefix(settings.PUBLIC_BASE_URL),
    )


def _window() -> dict:
    start = timezone.now() + timedelta(days=1)
    return {"start_at": start, "end_at": start + timedelta(hours=2)}


# ---- the entrances ---------------------------------------------------------------------------


class ManagementApi:
    """``/api/v1``: 400 with the envelope ``{"error": {"code": "validation_error", "details":
    {field: [messages]}}}``."""

    name = "api_v1"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert any(key == field or key.startswith(f"{field}.") for key in error["details"]), error

    def _incidents(self, w: World) -> str:
        return f"/api/v1/status-pages/{w.page.id}/incidents"

    def _post(self, w: World, url: str, body: dict):
        return w.api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"k-{len(str(body))}")

    def bad_time_zone(self, w: World):
        url = f"/api/v1/status-pages/{w.page.id}"
        return w.api.patch(url, {"time_zone": BAD_TIME_ZONE}, format="json"), "time_zone"

    def bad_custom_domain(self, w: World):
        url = f"/api/v1/status-pages/{w.page.id}"
        return w.api.patch(url, {"custom_domain": BAD_DOMAIN}, format="json"), "custom_domain"

    def unknown_incident_status(self, w: World):
        url = f"{self._incidents(w)}/{w.incident.id}/updates"
        body = {"status": NOT_AN_INCIDENT_STATUS, "message": "Still looking."}
        return w.api.post(url, body, format="json"), "status"

    def message_too_long(self, w: World):
        return self._post(w, self._incidents(w), {"name": "Errors", "message": TOO_LONG}), "message"

    def component_of_another_page(self, w: World):
        body = {
            "name": "Upgrade",
            **{name: at.isoformat() for name, at in _window().items()},
            "component_ids": [w.foreign_component.id],
        }
        url = f"/api/v1/status-pages/{w.page.id}/maintenances"
        return self._post(w, url, body), "component_ids"

    def subscriber_component_of_another_page(self, w: World):
        body = {
            "channel": "email",
            "email": "ann@example.com",
            "component_ids": [w.foreign_component.id],
        }
        url = f"/api/v1/status-pages/{w.page.id}/subscribers"
        return w.api.post(url, body, format="json"), "component_ids"

    def unknown_placeholder(self, w: World):
        body = {"template_id": w.template.id, "template_values": {"other": "x"}}
        return self._post(w, self._incidents(w), body), "template_values"

    def neither_name_nor_template(self, w: World):
        return self._post(w, self._incidents(w), {"message": "Something broke."}), "name"


class OperatorAdmin:
    """The admin site: the form comes back (200) with the reason under its field."""

    name = "admin"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 200, response.status_code
        context = response.context
        form = context["adminform"].form if "adminform" in context else context["form"]
        assert field in form.errors, form.errors

    def _page_form(self, w: World, **changes) -> dict:
        management = {
            f"{prefix}-{name}": "0"
            for prefix in ("groups", "components", "incident_templates", "maintenance_templates")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
        fields = {
            "name": w.page.name,
            "slug": w.page.slug,
            "time_zone": "UTC",
            "default_language": "en",
            "custom_domain": "",
            "url_override": "",
        }
        return {**fields, **management, **changes}

    def _page_change(self, w: World, **changes):
        url = f"/admin/statuspages/statuspage/{w.page.id}/change/"
        return w.operator.post(url, self._page_form(w, **changes))

    def bad_time_zone(self, w: World):
        return self._page_change(w, time_zone=BAD_TIME_ZONE), "time_zone"

    def bad_custom_domain(self, w: World):
        return self._page_change(w, custom_domain=BAD_DOMAIN), "custom_domain"

    def unknown_incident_status(self, w: World):
        url = f"/admin/incidents/incident/{w.incident.id}/publish/"
        body = {"status": NOT_AN_INCIDENT_STATUS, "message": "Still looking."}
        return w.operator.post(url, body), "status"

    def _open(self, w: World, **fields):
        body = {"page": w.page.id, "status": "investigating", "notify_subscribers": "on"}
        return w.operator.post("/admin/incidents/incident/add/", {**body, **fields})

    def message_too_long(self, w: World):
        return self._open(w, name="Errors", message=TOO_LONG), "message"

    def component_of_another_page(self, w: World):
        start, end = _window().values()
        body = {
            "page": w.page.id,
            "name": "Upgrade",
            "start_at_0": start.strftime("%Y-%m-%d"),
            "start_at_1": start.strftime("%H:%M:%S"),
            "end_at_0": end.strftime("%Y-%m-%d"),
            "end_at_1": end.strftime("%H:%M:%S"),
            "components": [w.foreign_component.id],
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        }
        return w.operator.post("/admin/maintenances/maintenance/add/", body), "components"

    def subscriber_component_of_another_page(self, w: World):
        body = {
            "page": w.page.id,
            "channel": "email",
            "email": "ann@example.com",
            "components": [w.foreign_component.id],
        }
        return w.operator.post("/admin/subscribers/subscriber/add/", body), "components"

    def unknown_placeholder(self, w: World):
        response = self._open(w, template=w.template.id, template_values="other=x", status="")
        return response, "template_values"

    def neither_name_nor_template(self, w: World):
        return self._open(w, name="", message="Something broke."), "name"


class StatuspageV1:
    """Statuspage's v1 (``/v1/``): 422 with ``{"error": "<field>: <message>"}`` and nothing
    else, as Statuspage answers."""

    name = "statuspage_v1"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 422, response.content
        body = response.json()
        assert list(body) == ["error"] and isinstance(body["error"], str), body
        # Statuspage's one string: "field: reason; other: reason", in its own field names.
        assert any(part.startswith(f"{field}: ") for part in body["error"].split("; ")), body

    def _incidents(self, w: World) -> str:
        return f"/v1/pages/{w.page.id}/incidents"

    def bad_time_zone(self, w: World):
        body = {"page": {"time_zone": BAD_TIME_ZONE}}
        return w.v1.patch(f"/v1/pages/{w.page.id}", body, format="json"), "time_zone"

    def bad_custom_domain(self, w: World):
        body = {"page": {"domain": BAD_DOMAIN}}
        return w.v1.patch(f"/v1/pages/{w.page.id}", body, format="json"), "domain"

    def unknown_incident_status(self, w: World):
        body = {"incident": {"status": NOT_AN_INCIDENT_STATUS, "body": "Still looking."}}
        url = f"{self._incidents(w)}/{w.incident.id}"
        return w.v1.patch(url, body, format="json"), "status"

    def message_too_long(self, w: World):
        body = {"incident": {"name": "Errors", "body": TOO_LONG}}
        return w.v1.post(self._incidents(w), body, format="json"), "body"

    def component_of_another_page(self, w: World):
        start, end = _window().values()
        body = {
            "incident": {
                "name": "Upgrade",
                "scheduled_for": start.isoformat(),
                "scheduled_until": end.isoformat(),
                "component_ids": [w.foreign_component.id],
            }
        }
        return w.v1.post(self._incidents(w), body, format="json"), "component_ids"

    def subscriber_component_of_another_page(self, w: World):
        body = {
            "subscriber": {"email": "ann@example.com", "component_ids": [w.foreign_component.id]}
        }
        url = f"/v1/pages/{w.page.id}/subscribers"
        return w.v1.post(url, body, format="json"), "component_ids"

    def neither_name_nor_template(self, w: World):
        body = {"incident": {"status": "investigating", "body": "Something broke."}}
        return w.v1.post(self._incidents(w), body, format="json"), "name"


class IncidentIo:
    """incident.io's Status Pages V2 (``/incident-io/``): 422 with ``{"type":
    "validation_error", "status", "request_id", "errors": [{"code", "message", "source":
    {"field"}}]}`` in incident.io's field names. It edits no page, takes no template and has no
    subscribers, so it expresses fewer cases; its incident statuses are ours by name, so even
    an unknown one is judged by the service."""

    name = "incident_io"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 422, response.content
        body = response.json()
        assert set(body) == {"type", "status", "request_id", "errors"}, body
        assert (body["type"], body["status"]) == ("validation_error", 422), body
        fields = [error.get("source", {}).get("field", "") for error in body["errors"]]
        assert any(f == field or f.startswith(f"{field}.") for f in fields), body

    def messages(self, response) -> list[str]:
        return [error["message"] for error in response.json()["errors"]]

    def _create(self, w: World, **fields):
        body = {
            "idempotency_key": f"k-{len(str(fields))}",
            "status_page_id": w.page.id,
            "name": "Errors",
            "incident_status": "investigating",
            "message": "Looking into it.",
            "notify_subscribers": True,
            **fields,
        }
        return w.api.post("/incident-io/v2/status_page_incidents", body, format="json")

    def unknown_incident_status(self, w: World):
        body = {
            "status_page_incident_id": w.incident.id,
            "incident_status": NOT_AN_INCIDENT_STATUS,
            "message": "Still looking.",
            "notify_subscribers": True,
        }
        url = "/incident-io/v2/status_page_incident_updates"
        return w.api.post(url, body, format="json"), "incident_status"

    def message_too_long(self, w: World):
        return self._create(w, message=TOO_LONG), "message"

    def component_of_another_page(self, w: World):
        body = {
            "idempotency_key": "m-1",
            "status_page_id": w.page.id,
            "name": "Upgrade",
            "message": "",
            **{name: at.isoformat() for name, at in _window().items()},
            "maintenance_status": "maintenance_scheduled",
            "affected_component_ids": [w.foreign_component.id],
            "notify_subscribers": True,
        }
        url = "/incident-io/v2/status_page_maintenances"
        return w.api.post(url, body, format="json"), "affected_component_ids"

    def neither_name_nor_template(self, w: World):
        # incident.io's body always has a name (its SDK requires one): here a blank one.
        return self._create(w, name=""), "name"


class Instatus:
    """Instatus (``/instatus/``): 400 with ``{"error": {"code": "validation_error", "message":
    "<field>: <reason>; ..."}}`` in Instatus's field names. It edits no page and opens no
    incident from a template. An unknown upper-case status cannot even be read as one of
    ours, so that one case is the dialect's own enum parse (``MAINTENANCE`` names exist)."""

    name = "instatus"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 400, response.content
        body = response.json()
        assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}, body
        assert body["error"]["code"] == "validation_error", body
        parts = body["error"]["message"].split("; ")
        assert any(part.startswith((f"{field}: ", f"{field}.")) for part in parts), body

    def messages(self, response) -> list[str]:
        return response.json()["error"]["message"].split("; ")

    def _page(self, w: World) -> str:
        return f"/instatus/v1/{w.page.id}"

    def unknown_incident_status(self, w: World):
        url = f"{self._page(w)}/incidents/{w.incident.id}/incident-updates"
        body = {"status": "NOTSTARTEDYET", "message": "Still looking."}
        return w.api.post(url, body, format="json"), "status"

    def message_too_long(self, w: World):
        body = {"name": "Errors", "message": TOO_LONG, "status": "INVESTIGATING"}
        return w.api.post(f"{self._page(w)}/incidents", body, format="json"), "message"

    def component_of_another_page(self, w: World):
        start, end = _window().values()
        body = {
            "name": "Upgrade",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "components": [w.foreign_component.id],
        }
        return w.api.post(f"{self._page(w)}/maintenances", body, format="json"), "components"

    def subscriber_component_of_another_page(self, w: World):
        body = {"email": "ann@example.com", "all": False, "components": [w.foreign_component.id]}
        return w.api.post(f"{self._page(w)}/subscribers", body, format="json"), "components"

    def neither_name_nor_template(self, w: World):
        body = {"message": "Something broke.", "status": "INVESTIGATING"}
        return w.api.post(f"{self._page(w)}/incidents", body, format="json"), "name"


class InboundIntegration:
    """A monitoring tool's webhook: 400 with the API's envelope. It speaks only of alerts, so
    the one case it can express is an unknown status."""

    name = "inbound_integration"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] in ("parse_error", "validation_error"), error
        assert field in error["message"] or field in error["details"], error

    def unknown_incident_status(self, w: World):
        body = {"id": "checkout-5xx", "status": NOT_AN_INCIDENT_STATUS, "name": "HighErrorRate"}
        raw = json.dumps(body).encode()
        return w.operator.post(w.inbound_path, raw, content_type="application/json"), "status"


class SubscriberCsvImport:
    """``POST /api/v1/.../subscribers/import``: a file is never refused for one bad line; each
    refused line is a ``{line, message}`` in a 200's ``errors``, the message naming the field."""

    name = "subscribers_csv"

    def refused(self, response, field: str) -> None:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["created"], body["skipped"]) == (0, 0), body
        (error,) = body["errors"]
        assert error["line"] == 2 and error["message"].startswith(f"{field}: "), error

    def subscriber_component_of_another_page(self, w: World):
        text = f"channel,email,component_ids\nemail,ann@example.com,{w.foreign_component.id}\n"
        url = f"/api/v1/status-pages/{w.page.id}/subscribers/import"
        return w.api.post(url, text.encode(), content_type="text/csv"), "component_ids"


ENTRANCES = [
    ManagementApi(),
    OperatorAdmin(),
    StatuspageV1(),
    IncidentIo(),
    Instatus(),
    InboundIntegration(),
    SubscriberCsvImport(),
]
CASES = [
    "bad_time_zone",
    "bad_custom_domain",
    "unknown_incident_status",
    "message_too_long",
    "component_of_another_page",
    "subscriber_component_of_another_page",
    "unknown_placeholder",
    "neither_name_nor_template",
]


def _written(page: StatusPage) -> dict:
    """What a refused request must leave as it was."""
    page.refresh_from_db()
    return {
        "page": (page.name, page.time_zone, page.custom_domain),
        "incidents": list(Incident.objects.values_list("id", "status", "name")),
        "incident_updates": IncidentUpdate.objects.count(),
        "maintenances": Maintenance.objects.count(),
        "maintenance_updates": MaintenanceUpdate.objects.count(),
        "subscribers": Subscriber.objects.count(),
        "events": NotificationEvent.objects.count(),
    }


@pytest.mark.parametrize(
    ("entrance", "case"),
    [
        pytest.param(entrance, case, id=f"{entrance.name}-{case}")
        for entrance in ENTRANCES
        for case in CASES
        if hasattr(entrance, case)
    ],
)
def test_every_entrance_refuses_the_same_bad_input_in_its_own_shape(world, entrance, case):
    before = _written(world.page)
    response, field = getattr(entrance, case)(world)
    entrance.refused(response, field)
    assert _written(world.page) == before


def test_every_case_is_refused_by_at_least_the_three_general_entrances():
    general = [e for e in ENTRANCES if e.name in ("api_v1", "admin", "statuspage_v1")]
    for case in CASES:
        speaking = [entrance.name for entrance in general if hasattr(entrance, case)]
        # Statuspage's v1 has no way to open an incident from a template.
        expected = 2 if case == "unknown_placeholder" else 3
        assert len(speaking) == expected, (case, speaking)


# The message-length refusal in the service's own words: a dialect that still checked the
# length itself (DRF says "... no more than 25000 characters.") would not say "(25001)".
SERVICE_TOO_LONG = (
    f"Ensure this field has no more than {MESSAGE_MAX_LENGTH} characters "
    f"({MESSAGE_MAX_LENGTH + 1})."
)


def _refusal_texts(entrance, response) -> list[str]:
    if hasattr(entrance, "messages"):
        return entrance.messages(response)
    if entrance.name == "api_v1":
        return [m for ms in response.json()["error"]["details"].values() for m in ms]
    if entrance.name == "statuspage_v1":
        return response.json()["error"].split("; ")
    context = response.context
    form = context["adminform"].form if "adminform" in context else context["form"]
    return [m for ms in form.errors.values() for m in ms]


@pytest.mark.parametrize(
    "entrance",
    [
        pytest.param(entrance, id=entrance.name)
        for entrance in ENTRANCES
        if hasattr(entrance, "message_too_long")
    ],
)
def test_a_message_one_character_too_long_is_refused_by_the_service_itself(world, entrance):
    response, field = entrance.message_too_long(world)
    entrance.refused(response, field)
    texts = _refusal_texts(entrance, response)
    assert any(text.endswith(SERVICE_TOO_LONG) for text in texts), texts


# ---- what the services normalise, every entrance stores alike --------------------------------

DOMAIN_AS_TYPED = "  Status.Acme.EXAMPLE "


def _api_sets_domain(w: World):
    url = f"/api/v1/status-pages/{w.page.id}"
    return w.api.patch(url, {"custom_domain": DOMAIN_AS_TYPED}, format="json").status_code


def _admin_sets_domain(w: World):
    url = f"/admin/statuspages/statuspage/{w.page.id}/change/"
    form = OperatorAdmin()._page_form(w, custom_domain=DOMAIN_AS_TYPED)
    return w.operator.post(url, form).status_code


def _v1_sets_domain(w: World):
    body = {"page": {"domain": DOMAIN_AS_TYPED}}
    return w.v1.patch(f"/v1/pages/{w.page.id}", body, format="json").status_code


@pytest.mark.parametrize(
    ("send", "success"),
    [(_api_sets_domain, 200), (_admin_sets_domain, 302), (_v1_sets_domain, 200)],
    ids=["api_v1", "admin", "statuspage_v1"],
)
def test_a_custom_domain_is_stored_lower_case_whatever_the_entrance(world, send, success):
    assert send(world) == success
    world.page.refresh_from_db()
    assert world.page.custom_domain == "status.acme.example"
