"""Who gets into a private or audience page, and what each reader sees there."""

import logging
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, MembershipStatus, Role
from incidents.services import incident_create
from notifications.fanout import event_fan_out
from notifications.models import Delivery, NotificationEvent
from notifications.services import deliveries_send
from statuspages.models import ReaderSignIn, ShareLink, Visibility
from statuspages.readers import (
    SHARE_LINK_SALT,
    reader_group_create,
    reader_invite,
    share_link_create,
)
from statuspages.services import component_update, status_page_update
from subscribers.services import subscriber_create
from tests.factories import (
    ComponentFactory,
    IncidentComponentFactory,
    IncidentFactory,
    IncidentUpdateFactory,
    OrganizationFactory,
    StatusPageFactory,
    SubscriberFactory,
)
from tests.notifications_support import allow_private, eager_celery  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

_LINK = re.compile(r"https?://\S+/sign-in/\S+")


@pytest.fixture
def private_page(organization):
    page = StatusPageFactory(organization=organization, name="Internal", slug="internal")
    ComponentFactory(page=page, name="Payroll API")
    IncidentUpdateFactory(incident=IncidentFactory(page=page, name="Payroll delayed"))
    return status_page_update(page=page, visibility=Visibility.PRIVATE)


@pytest.fixture
def sign_in(django_capture_on_commit_callbacks):
    def ask(client, email: str, slug: str = "internal") -> str:
        """Ask for a link on the page's sign-in screen; the path of the link mailed, or ""."""
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(f"/pages/{slug}/sign-in", {"email": email})
        assert answer.status_code == 200
        assert b"Check your inbox" in answer.content
        if not mail.outbox:
            return ""
        link = _LINK.search(mail.outbox[0].body).group(0)
        return re.sub(r"^https?://[^/]+", "", link)

    return ask


@pytest.fixture
def reader_client(sign_in):
    def signed_in(email: str, slug: str = "internal") -> Client:
        client = Client()
        assert client.post(sign_in(client, email, slug)).status_code == 302
        return client

    return signed_in


# ---- signing in -------------------------------------------------------------------------------


def test_an_invited_reader_signs_in_with_the_emailed_link_and_sees_the_page(private_page, sign_in):
    reader_invite(page=private_page, email="Dana@Example.com")
    client = Client()
    link = sign_in(client, "dana@example.com")
    assert mail.outbox[0].to == ["dana@example.com"]
    assert link.startswith("/pages/internal/sign-in/rsi_")
    assert client.get("/pages/internal/").status_code == 404  # not before the link is used
    shown = client.get(link)
    assert shown.status_code == 200
    assert b"Continue to the page" in shown.content  # a mail scanner's GET spends nothing
    signed_in = client.post(link)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/pages/internal/"
    page = client.get("/pages/internal/")
    assert page.status_code == 200
    assert b"Payroll API" in page.content
    assert page["Cache-Control"] == "private, no-store"
    assert "Access-Control-Allow-Origin" not in page
    summary = client.get("/pages/internal/api/v2/summary.json")
    assert summary.status_code == 200
    assert summary.json()["incidents"][0]["name"] == "Payroll delayed"
    assert client.get("/pages/internal/history.rss").status_code == 200
    assert client.get("/pages/internal/badge.svg").status_code == 200


def test_a_sign_in_link_works_only_once(private_page, sign_in):
    reader_invite(page=private_page, email="dana@example.com")
    link = sign_in(Client(), "dana@example.com")
    assert Client().post(link).status_code == 302
    second = Client()
    assert second.post(link).status_code == 404
    assert second.get("/pages/internal/").status_code == 404


def test_an_expired_sign_in_link_is_refused(private_page, sign_in):
    reader_invite(page=private_page, email="dana@example.com")
    link = sign_in(Client(), "dana@example.com")
    ReaderSignIn.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    assert client.get("/pages/internal/").status_code == 404


def test_a_sign_in_link_of_one_page_does_not_open_another(private_page, organization, sign_in):
    other = StatusPageFactory(organization=organization, slug="other")
    status_page_update(page=other, visibility=Visibility.PRIVATE)
    reader_invite(page=private_page, email="dana@example.com")
    link = sign_in(Client(), "dana@example.com")
    client = Client()
    assert client.post(link.replace("/pages/internal/", "/pages/other/")).status_code == 404
    assert client.get("/pages/other/").status_code == 404


def test_a_tampered_sign_in_secret_is_refused(private_page, sign_in):
    reader_invite(page=private_page, email="dana@example.com")
    link = sign_in(Client(), "dana@example.com")
    assert Client().post(link[:-3] + "xyz").status_code == 404


def test_an_address_at_an_allowed_domain_gets_a_link_and_a_stranger_gets_none(
    private_page, sign_in, reader_client
):
    status_page_update(page=private_page, reader_domains=["Customer.com"])
    assert sign_in(Client(), "someone@customer.com")
    assert sign_in(Client(), "someone@elsewhere.com") == ""
    assert sign_in(Client(), "someone@customer.com.evil.io") == ""
    client = reader_client("x@customer.com")
    assert client.get("/pages/internal/").status_code == 200


def test_a_public_page_sends_no_sign_in_link(page, sign_in):
    reader_invite(page=page, email="dana@example.com")
    assert sign_in(Client(), "dana@example.com", slug="acme") == ""


def test_a_removed_reader_is_refused_from_the_next_request_on(private_page, reader_client):
    reader = reader_invite(page=private_page, email="dana@example.com")
    client = reader_client("dana@example.com")
    assert client.get("/pages/internal/").status_code == 200
    reader.delete()
    assert client.get("/pages/internal/").status_code == 404


def test_a_signed_in_member_of_the_organization_sees_the_private_page(
    private_page, organization, client
):
    user = get_user_model().objects.create_user("mia", email="mia@acme.test", password="pw")
    Membership.objects.create(organization=organization, user=user, role=Role.VIEWER)
    client.force_login(user)
    response = client.get("/pages/internal/")
    assert response.status_code == 200
    assert b"Payroll API" in response.content
    assert response["Cache-Control"] == "private, no-store"


def test_an_invited_but_not_yet_joined_member_is_not_admitted(private_page, organization, client):
    user = get_user_model().objects.create_user("ivy", password="pw")
    Membership.objects.create(
        organization=organization, user=user, role=Role.VIEWER, status=MembershipStatus.INVITED
    )
    client.force_login(user)
    assert client.get("/pages/internal/").status_code == 404


def test_a_member_of_another_organization_is_not_admitted(private_page, client):
    user = get_user_model().objects.create_user("otto", password="pw")
    Membership.objects.create(organization=OrganizationFactory(slug="other"), user=user)
    client.force_login(user)
    assert client.get("/pages/internal/").status_code == 404


# ---- share links ------------------------------------------------------------------------------


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_share_link_admits_its_holder_until_it_expires(private_page):
    link, url = share_link_create(
        page=private_page, expires_at=timezone.now() + timedelta(days=1), name="Auditors"
    )
    client = Client()
    opened = client.get(_path(url))
    assert opened.status_code == 302
    assert client.get("/pages/internal/").status_code == 200
    ShareLink.objects.filter(id=link.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/pages/internal/").status_code == 404
    assert Client().get(_path(url)).status_code == 404


def test_a_deleted_share_link_stops_admitting_at_once(private_page):
    link, url = share_link_create(page=private_page, expires_at=timezone.now() + timedelta(days=1))
    client = Client()
    client.get(_path(url))
    link.delete()
    assert client.get("/pages/internal/").status_code == 404


def test_a_tampered_or_foreign_share_link_is_refused(private_page, organization):
    link, url = share_link_create(page=private_page, expires_at=timezone.now() + timedelta(days=1))
    assert Client().get(_path(url)[:-2] + "xx").status_code == 404
    other = StatusPageFactory(organization=organization, slug="other")
    status_page_update(page=other, visibility=Visibility.PRIVATE)
    forged = signing.dumps({"page": other.id, "link": link.id}, salt=SHARE_LINK_SALT)
    assert Client().get(f"/pages/other/share/{forged}").status_code == 404
    assert Client().get(_path(url).replace("/internal/", "/other/")).status_code == 404


def test_a_forged_reader_cookie_is_refused(private_page):
    client = Client()
    client.cookies[f"sp_reader_{private_page.id}"] = "email:dana@example.com"
    assert client.get("/pages/internal/").status_code == 404


def test_a_host_routed_private_page_admits_a_share_link_holder(private_page):
    _, url = share_link_create(page=private_page, expires_at=timezone.now() + timedelta(days=1))
    token = url.rsplit("/", 1)[1]
    client = Client(HTTP_HOST="internal.localhost")
    assert client.get(f"/share/{token}")["Location"] == "/"
    assert client.get("/").status_code == 200
    assert Client(HTTP_HOST="internal.localhost").get("/").status_code == 404


# ---- audiences --------------------------------------------------------------------------------


@pytest.fixture
def audience_page(organization):
    page = StatusPageFactory(organization=organization, name="Customers", slug="customers")
    shared = ComponentFactory(page=page, name="Shared Login")
    alpha_db = ComponentFactory(page=page, name="Alpha Database")
    beta_db = ComponentFactory(page=page, name="Beta Database", manual_status="major_outage")
    status_page_update(page=page, visibility=Visibility.AUDIENCE)
    alpha = reader_group_create(page=page, name="Alpha Corp", domains=["alpha.com"])
    beta = reader_group_create(page=page, name="Beta Corp", domains=["beta.com"])
    component_update(component=alpha_db, audience_group_ids=[alpha.id])
    component_update(component=beta_db, audience_group_ids=[beta.id])
    beta_incident = IncidentFactory(page=page, name="Beta replication lag")
    beta_incident.audience_groups.set([beta])
    IncidentUpdateFactory(incident=beta_incident, message="Beta only", component_statuses=[])
    IncidentComponentFactory(incident=beta_incident, component=beta_db)
    everyone = IncidentFactory(page=page, name="Login slow")
    IncidentUpdateFactory(
        incident=everyone,
        component_statuses=[
            {"component_id": shared.id, "name": "Shared Login", "new_status": "degraded"},
            {"component_id": beta_db.id, "name": "Beta Database", "new_status": "degraded"},
        ],
    )
    return page, alpha, beta


def test_a_reader_of_one_customer_never_sees_another_customers_items(audience_page, reader_client):
    client = reader_client("ops@alpha.com", slug="customers")
    paths = [
        "",
        "history.rss",
        "history.atom",
        "embed",
        "badge.svg",
        "api/v2/summary.json",
        "api/v2/status.json",
        "api/v2/components.json",
        "api/v2/incidents.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/scheduled-maintenances.json",
        "api/v2/uptime.json",
        "api/v2/metrics.json",
    ]
    for path in paths:
        response = client.get(f"/pages/customers/{path}")
        assert response.status_code == 200, path
        assert b"Beta" not in response.content, path
    summary = client.get("/pages/customers/api/v2/summary.json").json()
    assert [c["name"] for c in summary["components"]] == ["Shared Login", "Alpha Database"]
    assert [i["name"] for i in summary["incidents"]] == ["Login slow"]
    # The page's status is that of what this reader may see: Beta's outage is not theirs.
    assert summary["status"]["indicator"] == "none"
    beta_incident = next(i for i in _incidents(audience_page[0]) if i.name.startswith("Beta"))
    assert client.get(f"/pages/customers/incidents/{beta_incident.id}").status_code == 404
    beta_db = audience_page[0].components.get(name="Beta Database")
    assert client.get(f"/pages/customers/components/{beta_db.id}/badge.svg").status_code == 404


def _incidents(page):
    return list(page.incidents.all())


def test_a_reader_of_the_other_customer_sees_their_own_outage(audience_page, reader_client):
    client = reader_client("ops@beta.com", slug="customers")
    summary = client.get("/pages/customers/api/v2/summary.json").json()
    assert [c["name"] for c in summary["components"]] == ["Shared Login", "Beta Database"]
    assert {i["name"] for i in summary["incidents"]} == {"Login slow", "Beta replication lag"}
    assert summary["status"]["indicator"] == "critical"
    assert b"Alpha" not in client.get("/pages/customers/").content


def test_an_invited_reader_in_no_group_sees_only_the_unrestricted_items(
    audience_page, reader_client
):
    page, _, _ = audience_page
    reader_invite(page=page, email="guest@example.com")
    client = reader_client("guest@example.com", slug="customers")
    summary = client.get("/pages/customers/api/v2/summary.json").json()
    assert [c["name"] for c in summary["components"]] == ["Shared Login"]


def test_a_member_of_the_organization_sees_every_customers_items(
    audience_page, organization, client
):
    user = get_user_model().objects.create_user("mia", password="pw")
    Membership.objects.create(organization=organization, user=user)
    client.force_login(user)
    summary = client.get("/pages/customers/api/v2/summary.json").json()
    assert len(summary["components"]) == 3
    assert len(summary["incidents"]) == 2


def test_a_share_link_for_one_group_shows_that_groups_items(audience_page):
    page, alpha, _ = audience_page
    _, url = share_link_create(
        page=page, expires_at=timezone.now() + timedelta(hours=1), group_ids=[alpha.id]
    )
    client = Client()
    client.get(_path(url))
    names = [
        c["name"]
        for c in client.get("/pages/customers/api/v2/components.json").json()["components"]
    ]
    assert names == ["Shared Login", "Alpha Database"]


def test_an_admitted_readers_documents_are_read_in_a_fixed_number_of_queries(
    audience_page, django_assert_max_num_queries, reader_client
):
    page, alpha, _ = audience_page
    client = reader_client("ops@alpha.com", slug="customers")
    budgets = {}
    for size in (1, 20):
        for index in range(size):
            component = ComponentFactory(page=page, name=f"Alpha extra {size}-{index}")
            component.audience_groups.set([alpha])
            incident = IncidentFactory(page=page, name=f"Alpha incident {size}-{index}")
            incident.audience_groups.set([alpha])
            IncidentUpdateFactory(incident=incident)
        for path in ("api/v2/summary.json", "api/v2/incidents.json", "", "history.atom"):
            with django_assert_max_num_queries(20) as captured:
                assert client.get(f"/pages/customers/{path}").status_code == 200
            budgets.setdefault(path, []).append(len(captured))
    for path, counts in budgets.items():
        assert counts[0] == counts[1], (path, counts)


# ---- subscriptions and notifications ----------------------------------------------------------


@pytest.mark.usefixtures("eager_celery", "allow_private")
def test_notifications_of_an_audience_page_reach_only_the_readers_who_may_see_the_incident(
    audience_page, django_capture_on_commit_callbacks
):
    page, alpha, beta = audience_page
    alpha_reader = SubscriberFactory(page=page, channel="email", email="ops@alpha.com")
    beta_reader = SubscriberFactory(page=page, channel="email", email="ops@beta.com")
    stranger = SubscriberFactory(page=page, channel="email", email="someone@elsewhere.com")
    webhook = SubscriberFactory(page=page)  # from before the page went private
    with django_capture_on_commit_callbacks(execute=True):
        incident_create(page=page, name="Beta failover", audience_group_ids=[beta.id])
    assert set(Delivery.objects.values_list("subscriber_id", flat=True)) == {beta_reader.id}
    Delivery.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        incident_create(page=page, name="Everyone: login slow")
    assert set(Delivery.objects.values_list("subscriber_id", flat=True)) == {
        alpha_reader.id,
        beta_reader.id,
    }
    assert not Delivery.objects.filter(subscriber__in=[stranger, webhook]).exists()


@pytest.mark.usefixtures("eager_celery", "allow_private")
def test_an_incident_on_another_customers_component_does_not_reach_a_reader(
    audience_page, django_capture_on_commit_callbacks
):
    page, _, _ = audience_page
    alpha_reader = SubscriberFactory(page=page, channel="email", email="ops@alpha.com")
    beta_reader = SubscriberFactory(page=page, channel="email", email="ops@beta.com")
    beta_db = page.components.get(name="Beta Database")
    with django_capture_on_commit_callbacks(execute=True):
        incident_create(
            page=page,
            name="Disk full",
            component_statuses=[{"component_id": beta_db.id, "status": "partial_outage"}],
        )
    assert set(Delivery.objects.values_list("subscriber_id", flat=True)) == {beta_reader.id}
    assert alpha_reader.id not in set(Delivery.objects.values_list("subscriber_id", flat=True))


@pytest.mark.usefixtures("eager_celery")
def test_a_private_pages_confirmation_is_sent_only_to_an_admitted_address(
    private_page, django_capture_on_commit_callbacks
):
    reader_invite(page=private_page, email="dana@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        subscriber_create(page=private_page, channel="email", email="dana@example.com")
        subscriber_create(page=private_page, channel="email", email="eve@example.com")
    assert [message.to for message in mail.outbox] == [["dana@example.com"]]


def test_an_admitted_reader_may_subscribe_on_the_private_page(private_page, reader_client):
    reader_invite(page=private_page, email="dana@example.com")
    client = reader_client("dana@example.com")
    response = client.post(
        "/pages/internal/api/v2/subscribers.json",
        {"subscriber": {"email": "dana@example.com"}},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_signing_out_ends_the_readers_access(private_page, reader_client):
    reader_invite(page=private_page, email="dana@example.com")
    client = reader_client("dana@example.com")
    assert client.get("/pages/internal/").status_code == 200
    assert client.post("/pages/internal/sign-out")["Location"] == "/pages/internal/"
    assert client.get("/pages/internal/").status_code == 404


@pytest.mark.usefixtures("eager_celery", "allow_private")
def test_a_readers_email_leaves_out_the_components_of_other_customers(
    audience_page, django_capture_on_commit_callbacks
):
    page, _, _ = audience_page
    SubscriberFactory(page=page, channel="email", email="ops@alpha.com")
    SubscriberFactory(page=page, channel="email", email="ops@beta.com")
    shared = page.components.get(name="Shared Login")
    beta_db = page.components.get(name="Beta Database")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident_create(
            page=page,
            name="Login and replication trouble",
            component_statuses=[
                {"component_id": shared.id, "status": "degraded_performance"},
                {"component_id": beta_db.id, "status": "partial_outage"},
            ],
        )
    by_reader = {message.to[0]: message for message in mail.outbox}
    assert set(by_reader) == {"ops@alpha.com", "ops@beta.com"}
    alpha_text = by_reader["ops@alpha.com"].body + by_reader["ops@alpha.com"].alternatives[0][0]
    assert "Shared Login" in alpha_text
    assert "Beta Database" not in alpha_text
    assert "Beta Database" in by_reader["ops@beta.com"].body


@pytest.mark.usefixtures("allow_private")
def test_a_reader_removed_after_fan_out_is_skipped_at_send_time(
    private_page, django_capture_on_commit_callbacks
):
    reader = reader_invite(page=private_page, email="dana@example.com")
    subscriber = SubscriberFactory(page=private_page, channel="email", email="dana@example.com")
    with django_capture_on_commit_callbacks(execute=False):
        incident_create(page=private_page, name="Payroll late")
    event = NotificationEvent.objects.get(page=private_page)
    delivery_ids = [i for ids, _ in event_fan_out(event_id=event.id) for i in ids]
    assert Delivery.objects.get(id__in=delivery_ids).subscriber_id == subscriber.id
    reader.delete()
    mail.outbox.clear()
    assert deliveries_send(delivery_ids=delivery_ids) == {delivery_ids[0]: "skipped"}
    assert mail.outbox == []


def test_the_sign_in_screen_and_its_email_speak_the_readers_language(
    private_page, django_capture_on_commit_callbacks
):
    reader_invite(page=private_page, email="dana@example.com")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert "Votre adresse e-mail" in client.get("/pages/internal/sign-in").content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/pages/internal/sign-in", {"email": "dana@example.com"})
    assert "Connectez-vous pour lire la page d’état de Internal" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_readers_of_a_private_page_do_not_wait_for_each_others_builds(
    private_page, reader_client, caplog
):
    """A private page's documents are each reader's own and never stored, so the public
    pages' one-build-per-stamp rule must not make one reader wait on another's build."""
    for n in range(100):
        ComponentFactory(page=private_page, name=f"Service {n}")
    reader_invite(page=private_page, email="dana@example.com")
    first = reader_client("dana@example.com")
    assert first.get("/pages/internal/").status_code == 200
    caplog.set_level(logging.DEBUG, logger="public.http")
    start = threading.Barrier(4)
    answers: list[int] = []

    def read():
        try:
            client = Client()
            client.cookies = first.cookies
            start.wait()
            answers.append(client.get("/pages/internal/").status_code)
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=60)
    assert answers == [200] * 4
    assert not [r for r in caplog.records if r.getMessage().startswith("waiting for another")]
