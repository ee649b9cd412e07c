"""Every changelist answers odd searches, orderings and filters without a server error, and
shows what the operator typed escaped."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.admin import OrganizationScopedAdmin
from incidents.services import incident_create
from notifications.models import Delivery, NotificationEvent
from tests.factories import (
    ComponentFactory,
    MembershipFactory,
    StatusPageFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

MARKUP = "<script>x</script>"
HOSTILE_SEARCHES = [
    "'\"<script>x</script>",
    "Ωmega ☃ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
    "100%_off\\",
    '"unterminated',
    "a" * 300,
]
ODD_QUERIES = [
    {"o": "99"},
    {"o": "abc"},
    {"o": "-1.2"},
    {"o": "1.-99.x"},
    {"o": ""},
    {"nonexistent_field": "1"},
    {"status__exact": "<b>bold</b>"},
    {"page__id__exact": "'\""},
    {"subscriber_id": "<b>bold</b>"},
    {"event__id__exact": "'\""},
    {"p": "-1"},
    {"p": "abc"},
    {"all": "x", "e": "1"},
]
REGISTERED = [model for model in apps.get_models() if admin.site.is_registered(model)]
# Superusers open every changelist; operators those of the organization-scoped admins.
CHANGELISTS = sorted(
    [("superuser", model._meta.label_lower) for model in REGISTERED]
    + [
        ("operator", model._meta.label_lower)
        for model in REGISTERED
        if isinstance(admin.site.get_model_admin(model), OrganizationScopedAdmin)
    ]
)


@pytest.fixture
def viewer(client, organization):
    def login(role):
        user = get_user_model().objects.create_user(
            "viewer", password="pw", is_staff=True, is_superuser=role == "superuser"
        )
        MembershipFactory(organization=organization, user=user)
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def rows(page, organization):
    """One row of each kind, so every changelist renders at least one line; names an
    operator typed carry markup, which must come out escaped."""
    hostile = StatusPageFactory(organization=organization, name=MARKUP, slug="hostile")
    component = ComponentFactory(page=page, name=MARKUP)
    ComponentFactory(page=hostile, name="API")
    incident_create(
        page=page,
        name=MARKUP,
        component_statuses=[{"component_id": component.id, "status": "major_outage"}],
    )
    subscriber = SubscriberFactory(page=page, endpoint=f"http://127.0.0.1:9/{MARKUP}")
    event = NotificationEvent.objects.get(page=page)
    Delivery.objects.create(page=page, event=event, subscriber=subscriber, kind=event.kind)


def _changelist(label_lower):
    return reverse(f"admin:{label_lower.replace('.', '_')}_changelist")


@pytest.mark.parametrize(("role", "label_lower"), CHANGELISTS)
def test_odd_searches_orderings_and_filters_never_break_a_changelist(viewer, role, label_lower):
    client, url = viewer(role), _changelist(label_lower)
    for search in HOSTILE_SEARCHES:
        response = client.get(url, {"q": search})
        assert response.status_code == 200, search
        assert MARKUP.encode() not in response.content
    model_admin = admin.site.get_model_admin(apps.get_model(label_lower))
    columns = range(1, len(model_admin.list_display) + 1)
    sort_by_each_column = [{"o": f"{sign}{column}"} for column in columns for sign in ("", "-")]
    for query in ODD_QUERIES + sort_by_each_column:
        response = client.get(url, query)
        if response.status_code == 302:
            assert response["Location"] == f"{url}?e=1", query
        else:
            assert response.status_code == 200, query
        assert b"<b>bold</b>" not in response.content
        assert MARKUP.encode() not in response.content


@pytest.mark.parametrize(
    "changelist", ["/admin/statuspages/component/", "/admin/incidents/incident/"]
)
def test_names_with_markup_are_listed_escaped(viewer, changelist):
    response = viewer("operator").get(changelist)
    assert response.status_code == 200
    assert "&lt;script&gt;x&lt;/script&gt;" in response.content.decode()
    assert MARKUP not in response.content.decode()


def test_the_search_box_shows_the_typed_text_escaped(viewer):
    response = viewer("operator").get(
        "/admin/notifications/delivery/", {"q": "'\"<script>x</script>"}
    )
    assert response.status_code == 200
    assert 'value="&#x27;&quot;&lt;script&gt;x&lt;/script&gt;"' in response.content.decode()


def test_searching_deliveries_by_subscriber_id_finds_them(viewer, page):
    delivery = Delivery.objects.get(page=page)
    response = viewer("operator").get(
        "/admin/notifications/delivery/", {"q": delivery.subscriber_id}
    )
    assert response.status_code == 200
    assert delivery.id in response.content.decode()
