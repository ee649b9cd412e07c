"""Third-party components: a component mirrors a component (or the overall indicator) of another
Statuspage-v2 page, served here by a real loopback HTTP server whose summary changes. Polled at
most once a minute per URL with If-None-Match, through the outbound rules; the upstream status
is one source of the component's status, counts in uptime and notifies only where the page
opted in; the "pick from this page" helper lists the upstream's components."""

import hashlib
import json
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from werkzeug import Response

from audit.models import AuditEvent
from notifications.models import EventKind, NotificationEvent
from statuspages.models import Component
from statuspages.services import component_create, component_update
from tests.factories import (
    ComponentFactory,
    OrganizationFactory,
    StatusPageFactory,
    SubscriberFactory,
)
from upstreams.models import Upstream
from upstreams.services import upstreams_poll
from upstreams.tasks import upstreams_poll_due_task
from uptime.models import StatusInterval

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v2/summary.json"


class VendorPage:
    """A Statuspage-v2 page on the loopback server at ``{url}``: its summary is ``indicator``
    and ``components`` (id → status), with an ETag of its content; ``mode`` makes it answer
    garbage, an HTTP error or too late. Every request is noted with its If-None-Match."""

    def __init__(self, httpserver, prefix: str):
        self.url = httpserver.url_for(prefix).rstrip("/")
        self.name = prefix.strip("/").title()
        self.indicator = "none"
        self.components = {"api": "operational", "web": "operational"}
        self.mode = "ok"
        self.requests: list[str | None] = []
        self.release = threading.Event()
        httpserver.expect_request(f"{prefix}{SUMMARY}").respond_with_handler(self._answer)

    def document(self) -> dict:
        return {
            "page": {"id": "up1", "name": self.name, "url": self.url, "time_zone": "Etc/UTC"},
            "status": {"indicator": self.indicator, "description": "whatever"},
            "components": [
                {
                    "id": "grp",
                    "name": "Platform",
                    "status": "operational",
                    "group": True,
                    "group_id": None,
                    "components": list(self.components),
                },
                *(
                    {
                        "id": component_id,
                        "name": component_id.upper(),
                        "status": status,
                        "group": False,
                        "group_id": "grp",
                    }
                    for component_id, status in self.components.items()
                ),
            ],
            "incidents": [],
            "scheduled_maintenances": [],
        }

    def _answer(self, request):
        self.requests.append(request.headers.get("If-None-Match"))
        if self.mode == "slow":
            self.release.wait(3)
        if self.mode == "garbage":
            return Response("<html>Service Unavailable</html>", content_type="text/html")
        if self.mode == "error":
            return Response("down", status=503)
        if self.mode == "throttled":
            return Response("slow down", status=429, headers={"Retry-After": "300"})
        body = json.dumps(self.document()).encode()
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="application/json", headers={"ETag": etag})


@pytest.fixture
def vendor(httpserver, allow_private):
    page = VendorPage(httpserver, "/vendor")
    yield page
    page.release.set()


@pytest.fixture
def other_vendor(httpserver, allow_private):
    page = VendorPage(httpserver, "/other")
    yield page
    page.release.set()


@pytest.fixture
def clock():
    """A clock that only moves when told (the poller's minute is measured on it)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def mirror(api, page, eager_celery, django_capture_on_commit_callbacks):
    """Create a component mirroring ``upstream`` through the API; its first poll runs on
    commit, as a worker would run it."""

    def create(upstream, name="GitHub", target_page=None, client=None):
        target_page = target_page or page
        with django_capture_on_commit_callbacks(execute=True):
            response = (client or api).post(
                f"/api/v1/status-pages/{target_page.id}/components",
                {"name": name, "upstream": upstream},
                format="json",
            )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return create


@pytest.fixture
def poll(eager_celery, django_capture_on_commit_callbacks):
    """Beat's round, with what it queues after commit (cache invalidation, fan-out) run."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return upstreams_poll_due_task()

    return run


def _component(api, page, component_id) -> dict:
    response = api.get(f"/api/v1/status-pages/{page.id}/components/{component_id}")
    assert response.status_code == 200
    return response.json()


def _public_status(page, component_id) -> str:
    summary = Client().get(f"/pages/{page.slug}/api/v2/summary.json").json()
    return next(c["status"] for c in summary["components"] if c["id"] == component_id)


# ---- mirroring ------------------------------------------------------------------------------


def test_a_component_mirrors_an_upstream_component_and_follows_its_changes(
    api, page, vendor, mirror, poll, clock
):
    vendor.components["api"] = "partial_outage"
    component_id = mirror({"url": vendor.url, "component_id": "api"})

    shown = _component(api, page, component_id)
    assert shown["upstream"] == {"url": vendor.url, "component_id": "api"}
    assert shown["upstream_status"] == "partial_outage"
    assert shown["status"] == "partial_outage"
    assert shown["manual_status"] == "operational"
    assert shown["upstream_error"] is None
    assert shown["upstream_checked_at"] is not None
    assert _public_status(page, component_id) == "partial_outage"
    assert Client().get("/pages/acme/api/v2/status.json").json()["status"]["indicator"] == "major"

    vendor.components["api"] = "operational"
    clock.shift(timedelta(seconds=61))
    assert poll() == 1

    shown = _component(api, page, component_id)
    assert (shown["status"], shown["upstream_status"]) == ("operational", "operational")
    assert _public_status(page, component_id) == "operational"


@pytest.mark.parametrize(
    ("indicator", "status"),
    [
        ("none", "operational"),
        ("minor", "degraded_performance"),
        ("major", "partial_outage"),
        ("critical", "major_outage"),
    ],
)
def test_mirroring_the_whole_page_maps_its_indicator(api, page, vendor, mirror, indicator, status):
    vendor.indicator = indicator
    component_id = mirror({"url": vendor.url, "component_id": None})
    shown = _component(api, page, component_id)
    assert shown["upstream"] == {"url": vendor.url, "component_id": None}
    assert (shown["upstream_status"], shown["status"]) == (status, status)


def test_the_component_shows_the_worst_of_its_manual_status_and_the_upstream(
    api, page, vendor, mirror, poll, clock
):
    vendor.components["api"] = "degraded_performance"
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    api.patch(
        f"/api/v1/status-pages/{page.id}/components/{component_id}",
        {"status": "partial_outage"},
        format="json",
    )
    assert _component(api, page, component_id)["status"] == "partial_outage"
    vendor.components["api"] = "major_outage"
    clock.shift(timedelta(seconds=61))
    poll()
    assert _component(api, page, component_id)["status"] == "major_outage"


def test_beats_round_polls_a_url_whose_first_poll_was_never_queued(api, page, vendor, poll):
    # As after a write whose first poll found no broker: the round finds the new URL itself.
    component = ComponentFactory(page=page, upstream_url=vendor.url, upstream_component_id="web")
    vendor.components["web"] = "under_maintenance"
    assert poll() == 1
    assert _component(api, page, component.id)["status"] == "under_maintenance"
    assert poll() == 0


def test_a_304_keeps_the_reading_and_the_server_sees_if_none_match(
    api, page, vendor, mirror, poll, clock
):
    vendor.components["api"] = "major_outage"
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    first_read = _component(api, page, component_id)["upstream_checked_at"]
    assert vendor.requests == [None]

    clock.shift(timedelta(seconds=61))
    poll()

    assert len(vendor.requests) == 2
    etag = Upstream.objects.get(url=vendor.url).etag
    assert etag and vendor.requests[1] == etag
    shown = _component(api, page, component_id)
    assert shown["upstream_status"] == "major_outage"
    assert shown["upstream_checked_at"] > first_read  # a 304 is a good reading
    assert shown["upstream_error"] is None


def test_one_url_is_fetched_once_per_poll_however_many_components_mirror_it_and_once_a_minute(
    make_client, api, page, vendor, other_vendor, mirror, poll, clock
):
    globex = OrganizationFactory(slug="globex")
    globex_page = StatusPageFactory(organization=globex, slug="globex")
    globex_api = make_client(organization=globex)
    mirror({"url": vendor.url, "component_id": "api"}, name="A")
    mirror({"url": vendor.url + "/", "component_id": "web"}, name="B")  # the same page
    mirror(
        {"url": vendor.url, "component_id": None},
        name="C",
        target_page=globex_page,
        client=globex_api,
    )
    mirror({"url": other_vendor.url, "component_id": "api"}, name="D")
    # The first poll included: one fetch per page, the later components got its reading.
    assert (len(vendor.requests), len(other_vendor.requests)) == (1, 1)
    assert Component.objects.filter(upstream_status="operational").count() == 4

    clock.shift(timedelta(seconds=30))
    assert poll() == 0
    assert (
        api.get(
            f"/api/v1/status-pages/{page.id}/upstream-components", {"url": vendor.url}
        ).status_code
        == 200
    )  # the helper answers from the reading of this minute
    assert (len(vendor.requests), len(other_vendor.requests)) == (1, 1)

    clock.shift(timedelta(seconds=31))
    poll()
    assert (len(vendor.requests), len(other_vendor.requests)) == (2, 2)
    poll()
    assert (len(vendor.requests), len(other_vendor.requests)) == (2, 2)


def test_an_upstream_that_does_not_answer_in_time_sets_the_error_and_keeps_the_last_status(
    api, page, vendor, mirror, poll, clock, settings
):
    settings.UPSTREAM_TIMEOUT_SECONDS = 0.5
    vendor.components["api"] = "partial_outage"
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    read_at = _component(api, page, component_id)["upstream_checked_at"]

    vendor.mode = "slow"
    clock.shift(timedelta(seconds=61))
    started = time.monotonic()
    poll()
    assert time.monotonic() - started < 3

    shown = _component(api, page, component_id)
    assert shown["upstream_error"] == "No answer within 0.5 s."
    assert (shown["upstream_status"], shown["status"]) == ("partial_outage", "partial_outage")
    assert shown["upstream_checked_at"] == read_at  # when the status was last read
    assert _public_status(page, component_id) == "partial_outage"


def test_an_upstream_answering_garbage_or_an_error_keeps_the_last_status_and_backs_off(
    api, page, vendor, mirror, poll, clock
):
    vendor.components["api"] = "degraded_performance"
    component_id = mirror({"url": vendor.url, "component_id": "api"})

    vendor.mode = "garbage"
    clock.shift(timedelta(seconds=61))
    poll()
    shown = _component(api, page, component_id)
    assert shown["upstream_error"] == "The page did not answer with JSON."
    assert shown["status"] == "degraded_performance"

    vendor.mode = "error"
    clock.shift(timedelta(seconds=61))
    poll()
    assert _component(api, page, component_id)["upstream_error"] == "The page answered HTTP 503."
    assert len(vendor.requests) == 3
    # Two failures in a row: the next poll waits two minutes, not one.
    clock.shift(timedelta(seconds=61))
    poll()
    assert len(vendor.requests) == 3
    vendor.mode = "ok"
    vendor.components["api"] = "operational"
    clock.shift(timedelta(seconds=61))
    poll()
    assert len(vendor.requests) == 4
    shown = _component(api, page, component_id)
    assert (shown["upstream_error"], shown["status"]) == (None, "operational")


def test_a_throttling_upstream_is_asked_again_only_after_its_retry_after(
    api, page, vendor, mirror, poll, clock
):
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    vendor.mode = "throttled"
    clock.shift(timedelta(seconds=61))
    poll()
    assert _component(api, page, component_id)["upstream_error"] == "The page answered HTTP 429."
    vendor.mode = "ok"
    clock.shift(timedelta(seconds=200))
    poll()
    assert len(vendor.requests) == 2
    clock.shift(timedelta(seconds=101))
    poll()
    assert len(vendor.requests) == 3
    assert _component(api, page, component_id)["upstream_error"] is None


def test_a_component_the_upstream_does_not_list_says_so_and_keeps_its_status(
    api, page, vendor, mirror, poll, clock
):
    vendor.components["api"] = "major_outage"
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    del vendor.components["api"]
    clock.shift(timedelta(seconds=61))
    poll()
    shown = _component(api, page, component_id)
    assert shown["upstream_error"] == "The upstream page lists no component 'api'."
    assert shown["status"] == "major_outage"


def test_clearing_upstream_stops_the_mirroring_and_restores_the_component(
    api, page, vendor, mirror, poll, clock, django_capture_on_commit_callbacks
):
    vendor.components["api"] = "major_outage"
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    assert _public_status(page, component_id) == "major_outage"

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/status-pages/{page.id}/components/{component_id}",
            {"upstream": None},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["upstream"] is None
    assert (body["upstream_status"], body["upstream_checked_at"]) == (None, None)
    assert body["status"] == "operational"
    assert _public_status(page, component_id) == "operational"
    assert not StatusInterval.objects.filter(component_id=component_id, ended_at=None).exists()

    clock.shift(timedelta(seconds=61))
    assert poll() == 0
    assert len(vendor.requests) == 1
    assert _component(api, page, component_id)["status"] == "operational"


def test_pointing_at_another_component_drops_the_old_reading_and_reads_the_new_one(
    api, page, vendor, mirror, django_capture_on_commit_callbacks
):
    vendor.components.update(api="major_outage", web="degraded_performance")
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(
            f"/api/v1/status-pages/{page.id}/components/{component_id}",
            {"upstream": {"url": vendor.url, "component_id": "web"}},
            format="json",
        )
    shown = _component(api, page, component_id)
    assert (shown["upstream_status"], shown["status"]) == ("degraded_performance",) * 2
    assert len(vendor.requests) == 1  # the reading of this minute served both


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_polls_racing_for_one_url_fetch_it_once(on_postgres, page, vendor, eager_celery):
    component_create(page=page, name="X", upstream={"url": vendor.url, "component_id": "api"})
    assert len(vendor.requests) == 1  # its first poll, on commit
    vendor.components["api"] = "partial_outage"
    Upstream.objects.update(next_poll_at=timezone.now())
    start, fetched = threading.Barrier(4), []

    def racer():
        try:
            start.wait()
            fetched.append(upstreams_poll([vendor.url]))
        finally:
            connection.close()

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(fetched) == [0, 0, 0, 1]
    assert len(vendor.requests) == 2
    assert Component.objects.get().upstream_status == "partial_outage"


# ---- uptime, notifications, the activity log ------------------------------------------------


def test_an_upstream_outage_counts_in_uptime(api, page, vendor, mirror, poll, clock):
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    vendor.components["api"] = "major_outage"
    clock.shift(timedelta(seconds=61))
    poll()
    interval = StatusInterval.objects.get(component_id=component_id)
    assert (interval.status, interval.ended_at) == ("major_outage", None)

    vendor.components["api"] = "operational"
    clock.shift(timedelta(minutes=30))
    poll()
    interval.refresh_from_db()
    assert interval.ended_at - interval.started_at == timedelta(minutes=30)
    uptime = Client().get("/pages/acme/api/v2/uptime.json", {"days": 1}).json()
    (mirrored,) = [c for c in uptime["components"] if c["id"] == component_id]
    assert mirrored["days"][-1]["worst_status"] == "major_outage"
    assert mirrored["uptime_percentage"] < 100


@pytest.mark.parametrize("notify", [False, True])
def test_subscribers_hear_of_upstream_changes_only_where_the_page_opted_in(
    api, page, vendor, mirror, poll, clock, notify
):
    SubscriberFactory(page=page)
    response = api.patch(
        f"/api/v1/status-pages/{page.id}", {"notify_on_upstream": notify}, format="json"
    )
    assert response.json()["notify_on_upstream"] is notify
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    vendor.components["api"] = "partial_outage"
    clock.shift(timedelta(seconds=61))
    poll()

    events = NotificationEvent.objects.filter(kind=EventKind.COMPONENT_UPDATED)
    if notify:
        (event,) = events
        assert list(event.component_ids) == [component_id]
        assert event.payload["components"][0]["new_status"] == "partial_outage"
        assert event.deliveries.count() == 1
    else:
        assert not events.exists()
    # Either way the page shows it.
    assert _public_status(page, component_id) == "partial_outage"


def test_a_page_does_not_notify_on_upstream_changes_by_default(api, page):
    assert api.get(f"/api/v1/status-pages/{page.id}").json()["notify_on_upstream"] is False


def test_the_pollers_changes_are_in_the_activity_log_as_the_upstream(
    api, page, vendor, mirror, poll, clock
):
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    vendor.components["api"] = "major_outage"
    clock.shift(timedelta(seconds=61))
    poll()
    event = AuditEvent.objects.filter(object_id=component_id, actor_id="upstream").latest(
        "occurred_at"
    )
    assert event.actor_type == "system"
    assert event.action == "component.updated"
    assert event.changes == {"upstream_status": ["operational", "major_outage"]}
    assert vendor.url in event.actor_name


# ---- the "pick from this page" helper -------------------------------------------------------


def test_the_helper_lists_the_upstream_pages_components_with_their_groups(api, page, vendor):
    vendor.components["web"] = "degraded_performance"
    response = api.get(
        f"/api/v1/status-pages/{page.id}/upstream-components", {"url": vendor.url + SUMMARY}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["url"] == vendor.url
    assert (body["name"], body["indicator"], body["status"]) == ("Vendor", "none", "operational")
    assert body["error"] is None
    assert [
        (c["id"], c["name"], c["status"], c["group"], c["group_name"]) for c in body["components"]
    ] == [
        ("grp", "Platform", "operational", True, None),
        ("api", "API", "operational", False, "Platform"),
        ("web", "WEB", "degraded_performance", False, "Platform"),
    ]


def test_the_helpers_reading_is_the_first_poll_of_a_component_made_within_the_minute(
    api, page, vendor, mirror, clock
):
    vendor.components["api"] = "major_outage"
    helper = api.get(f"/api/v1/status-pages/{page.id}/upstream-components", {"url": vendor.url})
    assert helper.status_code == 200
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    assert len(vendor.requests) == 1
    assert _component(api, page, component_id)["status"] == "major_outage"


def test_the_helper_says_why_a_page_cannot_be_read(api, page, vendor):
    vendor.mode = "garbage"
    response = api.get(f"/api/v1/status-pages/{page.id}/upstream-components", {"url": vendor.url})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["url"] == [
        f"Could not read {vendor.url}{SUMMARY}: The page did not answer with JSON."
    ]


def test_the_helper_needs_pages_write_and_the_url(make_client, organization, api, page, vendor):
    url = f"/api/v1/status-pages/{page.id}/upstream-components"
    reader = make_client(organization=organization, scopes="")
    response = reader.get(url, {"url": vendor.url})
    assert response.status_code == 403
    assert response.json()["error"]["details"]["required_scope"] == "pages:write"
    missing = api.get(url)
    assert missing.status_code == 400
    assert missing.json()["error"]["details"] == {"url": ["This query parameter is required."]}
    assert vendor.requests == []


def test_another_organizations_page_is_a_404_for_the_helper(make_client, page, vendor):
    globex = make_client(organization=OrganizationFactory(slug="globex"))
    response = globex.get(
        f"/api/v1/status-pages/{page.id}/upstream-components", {"url": vendor.url}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert vendor.requests == []


# ---- what is refused ------------------------------------------------------------------------


def test_loopback_upstreams_are_refused_without_private_networks(
    api, page, httpserver, deny_private
):
    url = f"/api/v1/status-pages/{page.id}/components"
    for given, message in (
        (httpserver.url_for("/vendor"), "Only https URLs are accepted."),
        ("https://127.0.0.1:8443", "The address '127.0.0.1' is not public."),
        ("https://localhost", "The host 'localhost' resolves to a non-public address."),
    ):
        response = api.post(url, {"name": "X", "upstream": {"url": given}}, format="json")
        assert response.status_code == 400, given
        assert response.json()["error"]["details"] == {"upstream.url": [message]}
    helper = api.get(
        f"/api/v1/status-pages/{page.id}/upstream-components", {"url": "https://127.0.0.1"}
    )
    assert helper.status_code == 400
    assert list(helper.json()["error"]["details"]) == ["url"]
    assert not Component.objects.exists()
    assert len(httpserver.log) == 0


def test_a_poll_follows_the_outbound_rules_at_send_time_too(
    api, page, vendor, mirror, poll, clock, settings
):
    component_id = mirror({"url": vendor.url, "component_id": "api"})
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    clock.shift(timedelta(seconds=61))
    poll()
    assert len(vendor.requests) == 1
    error = _component(api, page, component_id)["upstream_error"]
    assert error.startswith("Refused by the outbound rules:")


@pytest.mark.parametrize(
    ("upstream", "details"),
    [
        ("https://www.githubstatus.com", {"upstream": ["Expected a JSON object."]}),
        ({"component_id": "api"}, {"upstream.url": ["This field is required."]}),
        (
            {"url": "javascript:alert(1)"},
            {"upstream.url": ["Only https or http URLs are accepted."]},
        ),
        (
            {"url": "https://"},
            {"upstream.url": ["Enter a valid URL with a host name and no credentials."]},
        ),
        (
            {"url": "VENDOR", "component_id": "a b"},
            {"upstream.component_id": ["A component id is letters, digits and - _ . : only."]},
        ),
        ({"url": "VENDOR", "page": "x"}, {"upstream.page": ["Unknown field."]}),
    ],
)
def test_a_bad_upstream_is_a_400_naming_the_field_and_writes_nothing(
    api, page, vendor, upstream, details
):
    if isinstance(upstream, dict) and upstream.get("url") == "VENDOR":
        upstream = {**upstream, "url": vendor.url}
    component = ComponentFactory(page=page)
    for response in (
        api.post(
            f"/api/v1/status-pages/{page.id}/components",
            {"name": "X", "upstream": upstream},
            format="json",
        ),
        api.patch(
            f"/api/v1/status-pages/{page.id}/components/{component.id}",
            {"upstream": upstream},
            format="json",
        ),
    ):
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert error["details"] == details
    assert Component.objects.get().upstream_url == ""
    assert vendor.requests == []


def test_the_services_refuse_an_upstream_that_is_not_an_object(page):
    with pytest.raises(ValidationError) as refusal:
        component_create(page=page, name="X", upstream="https://www.githubstatus.com")
    assert refusal.value.message_dict == {
        "upstream": ['Give null or an object {"url": ..., "component_id": ... | null}.']
    }


def test_the_url_is_stored_as_the_pages_base(page, vendor, allow_private):
    given = vendor.url.replace("http://", "HTTP://") + "/api/v2/summary.json?x=1#top"
    component = component_create(page=page, name="X", upstream={"url": given})
    assert (component.upstream_url, component.upstream_component_id) == (vendor.url, "")
    component = component_update(component=component, upstream={"url": vendor.url + "//"})
    assert component.upstream_url == vendor.url


# ---- the admin ------------------------------------------------------------------------------


def test_an_operator_picks_the_upstream_component_in_the_admin(
    operator, page, vendor, eager_celery, django_capture_on_commit_callbacks
):
    vendor.components["web"] = "major_outage"
    component = ComponentFactory(page=page, name="Web")
    picker = f"/admin/statuspages/component/{component.id}/upstream/"
    listing = operator.get(picker, {"url": vendor.url})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert 'value="web"' in html and "WEB" in html and "Platform" in html

    with django_capture_on_commit_callbacks(execute=True):
        chosen = operator.post(picker, {"url": vendor.url, "component_id": "web"})
    assert chosen.status_code == 302
    component.refresh_from_db()
    assert (component.upstream_url, component.upstream_component_id) == (vendor.url, "web")
    assert component.upstream_status == "major_outage"
    change = operator.get(f"/admin/statuspages/component/{component.id}/change/")
    assert "Pick from this page" in change.content.decode()


def test_the_admin_shows_the_services_refusal_of_an_upstream(operator, page, deny_private):
    component = ComponentFactory(page=page, name="Web")
    response = operator.post(
        f"/admin/statuspages/component/{component.id}/change/",
        {
            "name": "Web",
            "description": "",
            "position": 0,
            "manual_status": "operational",
            "showcase": "on",
            "upstream_url": "https://127.0.0.1",
            "upstream_component_id": "",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["upstream_url"] == [
        "The address '127.0.0.1' is not public."
    ]
    component.refresh_from_db()
    assert component.upstream_url == ""


def test_the_admin_picker_of_another_organizations_component_is_not_found(operator, vendor):
    foreign = ComponentFactory(page=StatusPageFactory(organization=OrganizationFactory()))
    response = operator.get(f"/admin/statuspages/component/{foreign.id}/upstream/")
    assert response.status_code == 404
    assert vendor.requests == []


# ---- cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_listing_mirrored_components_costs_the_same_at_any_size(
    api, page, count, django_assert_max_num_queries
):
    for n in range(count):
        ComponentFactory(
            page=page,
            upstream_url="https://www.githubstatus.com",
            upstream_component_id=f"c{n}",
            upstream_status="partial_outage",
        )
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/status-pages/{page.id}/components", {"page_size": 100})
    assert {c["status"] for c in response.json()["data"]} == {"partial_outage"}
    with django_assert_max_num_queries(10):
        summary = Client().get("/pages/acme/api/v2/summary.json").json()
    assert summary["status"]["indicator"] == "major"
