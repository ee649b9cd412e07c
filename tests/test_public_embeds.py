"""What another site embeds: the SVG badges, the floating widget script and the framed card.
Cached, invalidated and served like every other public document."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from incidents.services import incident_create, incident_resolve
from public.badges import text_width
from statuspages.services import component_update
from tests.factories import (
    ComponentFactory,
    IncidentComponentFactory,
    IncidentFactory,
    IncidentUpdateFactory,
    StatusPageFactory,
)

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


def _svg(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    return ET.fromstring(response.content)  # well-formed XML, whatever the names contain


def _texts(svg: ET.Element) -> list[str]:
    """The visible words, left to right (each is drawn twice: a shadow, then the text)."""
    return [node.text for node in svg.iter(f"{SVG_NS}text") if node.get("aria-hidden") is None]


def _fills(svg: ET.Element) -> list[str]:
    return [rect.get("fill") for rect in svg.iter(f"{SVG_NS}rect")]


def test_the_page_badge_shows_the_page_name_and_that_all_is_operational(page):
    ComponentFactory(page=page, name="API")
    response = Client().get("/pages/acme/badge.svg")
    svg = _svg(response)
    assert _texts(svg) == ["Acme", "operational"]
    assert svg.get("aria-label") == "Acme: operational"
    assert svg.find(f"{SVG_NS}title").text == "Acme: operational"
    assert "#1f9d55" in _fills(svg)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_page_badge_turns_red_as_soon_as_an_outage_is_published(
    page, django_capture_on_commit_callbacks
):
    api = ComponentFactory(page=page, name="API")
    before = Client().get("/pages/acme/badge.svg")
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_create(
            page=page,
            name="API down",
            component_statuses=[{"component_id": api.id, "status": "major_outage"}],
        )
    during = Client().get("/pages/acme/badge.svg", HTTP_IF_NONE_MATCH=before["ETag"])
    svg = _svg(during)
    assert _texts(svg) == ["Acme", "major outage"]
    assert "#e53e3e" in _fills(svg)
    with django_capture_on_commit_callbacks(execute=True):
        incident_resolve(incident=incident)
    assert _texts(_svg(Client().get("/pages/acme/badge.svg"))) == ["Acme", "operational"]


def test_a_component_badge_shows_that_components_own_status(
    page, django_capture_on_commit_callbacks
):
    api = ComponentFactory(page=page, name="Public API")
    ComponentFactory(page=page, name="Dashboard", manual_status="major_outage")
    path = f"/pages/acme/components/{api.id}/badge.svg"
    assert _texts(_svg(Client().get(path))) == ["Public API", "operational"]
    with django_capture_on_commit_callbacks(execute=True):
        component_update(component=api, manual_status="degraded_performance")
    svg = _svg(Client().get(path))
    assert _texts(svg) == ["Public API", "degraded performance"]
    assert "#b7791f" in _fills(svg)


def test_badges_are_served_at_the_pages_own_host_too(page):
    api = ComponentFactory(page=page, name="API")
    page_badge = Client().get("/badge.svg", HTTP_HOST="acme.localhost")
    assert _texts(_svg(page_badge)) == ["Acme", "operational"]
    component_badge = Client().get(
        f"/components/{api.id}/badge.svg", HTTP_HOST="acme.localhost:8000"
    )
    assert _texts(_svg(component_badge)) == ["API", "operational"]


def test_an_unknown_component_or_another_pages_component_is_a_404_like_a_missing_page(page):
    other = ComponentFactory(page=StatusPageFactory(slug="other"), name="Theirs")
    assert Client().get("/pages/acme/components/cmp_nothing/badge.svg").status_code == 404
    assert Client().get(f"/pages/acme/components/{other.id}/badge.svg").status_code == 404
    assert Client().get("/pages/acme/components/a%20b%3C/badge.svg").status_code == 404
    assert Client().get("/pages/nobody/badge.svg").status_code == 404
    assert Client().get("/pages/nobody/widget.js").status_code == 404
    assert Client().get("/pages/nobody/embed").status_code == 404


def test_names_with_markup_are_escaped_in_the_badge(page):
    page.name = 'Tom & Jerry <script>alert("x")</script>'
    page.save()
    component = ComponentFactory(page=page, name="<b>API</b> & 'co'\x07")
    page_badge = Client().get("/pages/acme/badge.svg")
    assert b"<script>" not in page_badge.content
    assert b"Tom &amp; Jerry &lt;script&gt;" in page_badge.content
    assert _texts(_svg(page_badge))[0] == 'Tom & Jerry <script>alert("x")</script>'
    component_badge = Client().get(f"/pages/acme/components/{component.id}/badge.svg")
    assert _texts(_svg(component_badge))[0] == "<b>API</b> & 'co'"


def test_the_badge_is_as_wide_as_its_words(page):
    def width(label: str) -> int:
        response = Client().get("/pages/acme/badge.svg", {"label": label})
        return int(_svg(response).get("width"))

    narrow, wide = width("iiii"), width("WWWW")
    assert wide - narrow == text_width("WWWW") - text_width("iiii") > 20
    assert width("状態") > width("ab")  # full-width characters take a whole em
    svg = _svg(Client().get("/pages/acme/badge.svg", {"label": "Checkout"}))
    label_rect, message_rect = list(svg.iter(f"{SVG_NS}rect"))[1:3]
    assert int(label_rect.get("width")) == text_width("Checkout") + 10
    assert int(message_rect.get("x")) == int(label_rect.get("width"))
    assert int(svg.get("width")) == int(label_rect.get("width")) + int(message_rect.get("width"))


def test_a_label_given_in_the_query_replaces_the_name_and_is_cached_apart(
    page, django_assert_num_queries
):
    api = ComponentFactory(page=page, name="API")
    assert _texts(_svg(Client().get("/pages/acme/badge.svg", {"label": "status"}))) == [
        "status",
        "operational",
    ]
    assert _texts(_svg(Client().get("/pages/acme/badge.svg"))) == ["Acme", "operational"]
    labelled = Client().get(f"/pages/acme/components/{api.id}/badge.svg", {"label": "a&b"})
    assert _texts(_svg(labelled)) == ["a&b", "operational"]
    long = _texts(_svg(Client().get("/pages/acme/badge.svg", {"label": "x" * 500})))[0]
    assert len(long) == 64 and long.endswith("…")
    with django_assert_num_queries(0):
        again = Client().get("/pages/acme/badge.svg", {"label": "status"})
    assert _texts(_svg(again))[0] == "status"


@pytest.mark.parametrize(
    "path",
    [
        "/pages/acme/badge.svg",
        "/pages/acme/components/{id}/badge.svg",
        "/pages/acme/widget.js",
        "/pages/acme/embed",
    ],
)
def test_a_cached_badge_widget_or_card_costs_no_query_and_answers_304_to_its_etag(
    page, path, django_assert_num_queries, django_assert_max_num_queries
):
    def grow(components: int, incidents: int) -> list:
        made = ComponentFactory.create_batch(components, page=page)
        for incident in IncidentFactory.create_batch(incidents, page=page):
            IncidentUpdateFactory(incident=incident)
            IncidentComponentFactory(incident=incident, component=made[0])
        cache.clear()  # factories write rows without the services' invalidation
        return made

    path = path.format(id=grow(2, 1)[0].id)
    with django_assert_max_num_queries(12) as small:
        first = Client().get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = Client().get(path)
        not_modified = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    grow(30, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        assert Client().get(path).status_code == 200


def test_the_widget_script_is_small_cached_and_open_to_every_origin(
    page, django_assert_num_queries
):
    response = Client().get("/pages/acme/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert len(response.content) < 10 * 1024
    assert b"innerHTML" not in response.content
    with django_assert_num_queries(0):
        not_modified = Client().get("/pages/acme/widget.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304
    host_routed = Client().get("/widget.js", HTTP_HOST="acme.localhost")
    assert host_routed.content == response.content


def test_only_the_embed_card_may_be_framed_by_another_site(page):
    embed = Client().get("/pages/acme/embed")
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    not_modified = Client().get("/pages/acme/embed", HTTP_IF_NONE_MATCH=embed["ETag"])
    assert not_modified.status_code == 304
    assert "X-Frame-Options" not in not_modified
    assert "frame-ancestors *" in not_modified["Content-Security-Policy"]
    for path in ("/pages/acme/", "/pages/acme/badge.svg", "/pages/acme/widget.js"):
        assert Client().get(path)["X-Frame-Options"] == "DENY"
        assert Client().get(path)["X-Frame-Options"] == "DENY"  # a cache hit as well


def test_the_embed_card_shows_the_status_and_open_incidents_escaped(
    page, django_capture_on_commit_callbacks
):
    api = ComponentFactory(page=page, name="API")
    page.name = "Acme <img src=x onerror=alert(1)>"
    page.save()
    assert b"All Systems Operational" in Client().get("/pages/acme/embed").content
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_create(
            page=page,
            name="Logins <b>failing</b>",
            component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
        )
    card = Client().get("/pages/acme/embed").content.decode()
    assert "Partial System Outage" in card
    assert "Logins &lt;b&gt;failing&lt;/b&gt;" in card
    assert "<img src=x" not in card
    assert f'href="{incident.shortlink}"' in card
    assert 'data-indicator="major"' in card
