"""A private or audience page answers an anonymous reader on every public surface exactly as a
page that does not exist: same status, body, content type and headers, path- or host-routed."""

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from public.documents import DOCUMENTS
from statuspages.models import Visibility
from statuspages.services import status_page_update
from subscribers.links import CONFIRM_SALT, UNSUBSCRIBE_SALT
from tests.factories import (
    ComponentFactory,
    IncidentComponentFactory,
    IncidentFactory,
    IncidentUpdateFactory,
    MaintenanceFactory,
    StatusPageFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

# The same request id on both requests, so that even error envelopes may be compared whole.
REQUEST_ID = {"HTTP_X_REQUEST_ID": "leak-test-0123456789"}


@pytest.fixture
def secret_page(organization):
    page = StatusPageFactory(organization=organization, name="Secret Project", slug="secret")
    component = ComponentFactory(page=page, name="Secret API")
    incident = IncidentFactory(page=page, name="Secret outage")
    IncidentUpdateFactory(incident=incident, message="Secret details")
    IncidentComponentFactory(incident=incident, component=component)
    maintenance = MaintenanceFactory(page=page, name="Secret maintenance")
    subscriber = SubscriberFactory(
        page=page, channel="email", email="old@example.com", confirmed_at=None
    )
    return page, component, incident, maintenance, subscriber


def _surfaces(component, incident, maintenance, subscriber):
    """(method, path below the page root, body, content type) of every public surface."""
    gets = [
        "",
        f"incidents/{incident.id}",
        f"incidents/{maintenance.id}",
        "history.rss",
        "history.atom",
        *(f"api/v2/{name}" for name in DOCUMENTS),
        "api/v2/uptime.json",
        "api/v2/uptime.json?days=7",
        "api/v2/metrics.json",
        "api/v2/metrics.json?period=week",
        "badge.svg",
        "badge.svg?label=x",
        f"components/{component.id}/badge.svg",
        "widget.js",
        "embed",
    ]
    json = "application/json"
    form = "application/x-www-form-urlencoded"
    writes = [
        ("post", "api/v2/subscribers.json", '{"email": "a@example.com"}', json),
        ("post", "api/v2/subscribers.json", "subscriber%5Bemail%5D=a%40example.com", form),
        ("post", f"api/v2/incidents/{incident.id}/subscribers.json", '{"email": "a@x.io"}', json),
        ("patch", f"api/v2/subscribers/{subscriber.id}.json", '{"component_ids": []}', json),
        ("delete", f"api/v2/subscribers/{subscriber.id}.json", "", json),
        ("post", "subscribe", "subscriber%5Bemail%5D=a%40example.com", form),
        ("post", f"resend_confirmation/{subscriber.id}", "", form),
        ("options", "api/v2/summary.json", "", json),
    ]
    return [("get", path, "", "") for path in gets] + writes


def _answer(method, path, body, content_type, **headers):
    cache.clear()  # neither answer may come from the other's rate limit or cache
    response = getattr(Client(), method)(
        path, data=body, content_type=content_type, **REQUEST_ID, **headers
    )
    return response.status_code, response.content, dict(response.headers)


def _assert_like_missing(page, component, incident, maintenance, subscriber):
    surfaces = _surfaces(component, incident, maintenance, subscriber)
    for method, path, body, content_type in surfaces:
        by_path = _answer(method, f"/pages/{page.slug}/{path}", body, content_type)
        missing = _answer(method, f"/pages/nosuchpage/{path}", body, content_type)
        assert by_path == missing, (method, path)
        assert b"Secret" not in by_path[1]
        if method in ("get", "delete", "patch"):
            assert by_path[0] == 404, (method, path)
        by_host = _answer(method, f"/{path}", body, content_type, HTTP_HOST="secret.localhost")
        missing = _answer(method, f"/{path}", body, content_type, HTTP_HOST="nosuchpage.localhost")
        assert by_host == missing, (method, path, "host-routed")


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.AUDIENCE])
def test_an_anonymous_reader_gets_the_missing_page_answer_on_every_public_surface(
    secret_page, visibility
):
    page, *items = secret_page
    status_page_update(page=page, visibility=visibility)
    _assert_like_missing(page, *items)


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.AUDIENCE])
def test_a_custom_domain_private_page_answers_like_an_unknown_domain(secret_page, visibility):
    page, component, incident, maintenance, subscriber = secret_page
    status_page_update(page=page, visibility=visibility, custom_domain="status.secret.example")
    for method, path, body, content_type in _surfaces(component, incident, maintenance, subscriber):
        private = _answer(method, f"/{path}", body, content_type, HTTP_HOST="status.secret.example")
        unknown = _answer(method, f"/{path}", body, content_type, HTTP_HOST="status.other.example")
        assert private == unknown, (method, path)


def test_the_public_surfaces_answer_normally_while_the_page_is_public(secret_page):
    page, *_ = secret_page
    assert Client().get("/pages/secret/").status_code == 200
    assert Client().get("/pages/secret/api/v2/summary.json").status_code == 200
    assert Client().get("/pages/secret/badge.svg").status_code == 200


def test_a_signed_in_user_of_another_organization_gets_the_missing_page_answer(
    secret_page, django_user_model
):
    page, *_ = secret_page
    status_page_update(page=page, visibility=Visibility.PRIVATE)
    stranger = django_user_model.objects.create_user("stranger", password="pw")
    client = Client()
    client.force_login(stranger)
    for path in ("", "api/v2/summary.json", "history.rss", "badge.svg"):
        cache.clear()
        private = client.get(f"/pages/secret/{path}", **REQUEST_ID)
        missing = client.get(f"/pages/nosuchpage/{path}", **REQUEST_ID)
        assert private.status_code == missing.status_code == 404
        assert private.content == missing.content
        assert private.headers.get("Vary") == missing.headers.get("Vary")


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.AUDIENCE])
def test_confirmation_and_unsubscribe_links_of_a_private_page_answer_like_unknown_ones(
    secret_page, visibility
):
    page, *_, subscriber = secret_page
    status_page_update(page=page, visibility=visibility)
    for salt, prefix in ((CONFIRM_SALT, "confirm"), (UNSUBSCRIBE_SALT, "unsubscribe")):
        for method in ("get", "post"):
            real = signing.dumps(subscriber.id, salt=salt, compress=True)
            unknown = signing.dumps("sub_doesnotexist", salt=salt, compress=True)
            private = _answer(method, f"/subscriptions/{prefix}/{real}", "", "")
            missing = _answer(method, f"/subscriptions/{prefix}/{unknown}", "", "")
            assert private == missing, (prefix, method)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_the_sign_in_form_is_the_same_for_a_private_page_and_a_missing_one(secret_page):
    page, *_ = secret_page
    status_page_update(page=page, visibility=Visibility.PRIVATE)
    for method, body in (("get", ""), ("post", "email=someone%40example.com")):
        form = "application/x-www-form-urlencoded"
        private = _answer(method, "/pages/secret/sign-in", body, form)
        missing = _answer(method, "/pages/nosuchpage/sign-in", body, form)
        assert private == missing
        assert b"Secret" not in private[1]
