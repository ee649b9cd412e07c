"""The public documents' cache: a hit costs no query and at most one cache round trip (none
once the process holds a copy), a write is on the very next read in every process, and a
renamed, moved or deleted page stops answering at its old address."""

import logging
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils.http import http_date, parse_http_date

from statuspages.services import component_update
from tests.conftest import ON_REDIS
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db

CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many")


@pytest.fixture
def cache_calls(monkeypatch):
    """Every call the code makes on the cache (each one a round trip to Redis), by name."""
    calls: list[str] = []
    inside = []  # the local-memory backend's get_many calls its own get: count the outer call
    backend = caches["default"]
    for name in CACHE_CALLS:
        method = getattr(backend, name)

        def spy(*args, _name=name, _method=method, **kwargs):
            if not inside:
                calls.append(_name)
            inside.append(_name)
            try:
                return _method(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, spy)
    return calls


@pytest.fixture
def domain_page(page):
    page.custom_domain = "status.acme.example"
    page.save()
    return page


HITS = [
    ("/pages/acme/api/v2/summary.json", {}),
    ("/api/v2/status.json", {"HTTP_HOST": "acme.localhost:8000"}),
    ("/api/v2/components.json", {"HTTP_HOST": "status.acme.example"}),
    ("/pages/acme/", {}),
    ("/", {"HTTP_HOST": "acme.localhost"}),
    ("/pages/acme/history.atom", {}),
]


@pytest.mark.parametrize(("path", "headers"), HITS)
def test_a_cached_document_costs_no_query_and_one_cache_round_trip(
    domain_page, path, headers, cache_calls, django_assert_num_queries
):
    ComponentFactory(page=domain_page, name="API")
    first = Client().get(path, **headers)
    assert first.status_code == 200
    cache_calls.clear()
    with django_assert_num_queries(0):
        again = Client().get(path, **headers)
        not_modified = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    assert again.status_code == 200
    assert again.content == first.content
    assert not_modified.status_code == 304
    # With Redis, the first hit keeps a copy in the process (core.localcache) and the second is
    # served from it; the local-memory cache is already in the process and keeps no copy.
    assert cache_calls == (["get_many"] if ON_REDIS else ["get_many", "get_many"])


def test_a_component_patched_through_the_api_shows_on_the_very_next_read(
    api, page, django_capture_on_commit_callbacks
):
    component = ComponentFactory(page=page, name="API")
    before = Client().get("/pages/acme/api/v2/summary.json")
    assert before.json()["components"][0]["status"] == "operational"
    with django_capture_on_commit_callbacks(execute=True):
        patched = api.patch(
            f"/api/v1/status-pages/{page.id}/components/{component.id}",
            {"status": "major_outage"},
            format="json",
        )
    assert patched.status_code == 200, patched.content
    after = Client().get("/pages/acme/api/v2/summary.json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["components"][0]["status"] == "major_outage"
    host_routed = Client().get("/api/v2/summary.json", HTTP_HOST="acme.localhost")
    assert host_routed.json()["status"]["indicator"] == "critical"


def test_a_renamed_page_stops_answering_at_its_old_slug_at_once(
    api, page, django_capture_on_commit_callbacks
):
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 200
    assert Client().get("/", HTTP_HOST="acme.localhost").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        renamed = api.patch(f"/api/v1/status-pages/{page.id}", {"slug": "acme2"}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 404
    assert Client().get("/", HTTP_HOST="acme.localhost").status_code == 404
    assert Client().get("/pages/acme2/api/v2/status.json").status_code == 200


def test_a_page_moved_off_its_custom_domain_stops_answering_there_at_once(
    api, domain_page, django_capture_on_commit_callbacks
):
    headers = {"HTTP_HOST": "status.acme.example"}
    assert Client().get("/api/v2/summary.json", **headers).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        moved = api.patch(
            f"/api/v1/status-pages/{domain_page.id}",
            {"custom_domain": "status.acme.test"},
            format="json",
        )
    assert moved.status_code == 200, moved.content
    assert Client().get("/api/v2/summary.json", **headers).status_code == 404
    moved_to = Client().get("/api/v2/summary.json", HTTP_HOST="status.acme.test")
    assert moved_to.json()["page"]["url"] == "https://status.acme.test"


def test_a_deleted_page_is_gone_on_the_next_read(api, page, django_capture_on_commit_callbacks):
    assert Client().get("/pages/acme/api/v2/summary.json").status_code == 200
    assert Client().get("/pages/acme/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/status-pages/{page.id}").status_code == 204
    assert Client().get("/pages/acme/api/v2/summary.json").status_code == 404
    assert Client().get("/pages/acme/").status_code == 404


def test_a_page_created_after_its_slug_was_asked_for_answers_at_once(
    api, organization, django_capture_on_commit_callbacks
):
    assert Client().get("/pages/newco/api/v2/status.json").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/status-pages", {"name": "New", "slug": "newco"}, format="json")
    assert created.status_code == 201, created.content
    assert Client().get("/pages/newco/api/v2/status.json").status_code == 200


# --- validators and Vary: what a proxy may cache ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "vary"),
    [
        ("/pages/acme/api/v2/summary.json", None),
        # The human page's words follow the reader's language (Accept-Language or the cookie).
        ("/pages/acme/", "Accept-Language, Cookie"),
        ("/pages/acme/history.rss", None),
    ],
)
def test_documents_and_their_304s_carry_the_same_validators_and_vary(page, path, vary):
    first = Client().get(path)
    assert first.status_code == 200
    # Otherwise the body varies by URL and Host alone: not by Cookie either.
    assert first.get("Vary") == vary
    assert first["ETag"].startswith('"') and len(first["ETag"]) == 42
    last_modified = first["Last-Modified"]
    assert parse_http_date(last_modified) <= time.time()  # never after the response
    not_modified = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    assert not_modified["Last-Modified"] == last_modified
    assert not_modified.get("Vary") == vary
    assert not_modified["Cache-Control"] == first["Cache-Control"] == "public, max-age=0, no-cache"
    assert not_modified["Access-Control-Allow-Origin"] == "*"


def test_if_modified_since_never_hides_a_write_made_in_the_same_second(
    page, django_capture_on_commit_callbacks
):
    component = ComponentFactory(page=page, name="API")
    first = Client().get("/pages/acme/api/v2/summary.json")
    with django_capture_on_commit_callbacks(execute=True):
        component_update(component=component, manual_status="major_outage")
    again = Client().get(
        "/pages/acme/api/v2/summary.json", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 200
    assert again.json()["components"][0]["status"] == "major_outage"


def test_if_modified_since_after_the_last_change_is_a_304(page):
    Client().get("/pages/acme/api/v2/status.json")
    later = http_date(time.time() + 5)
    response = Client().get("/pages/acme/api/v2/status.json", HTTP_IF_MODIFIED_SINCE=later)
    assert response.status_code == 304


def test_deleting_an_organization_takes_its_pages_down_at_once(
    domain_page, organization, django_capture_on_commit_callbacks
):
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 200
    assert Client().get("/", HTTP_HOST="status.acme.example").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        organization.delete()
    assert Client().get("/pages/acme/api/v2/status.json").status_code == 404
    assert Client().get("/", HTTP_HOST="status.acme.example").status_code == 404


EARLY = [
    ("/pages/acme/api/v2/summary.json", {}),
    ("/pages/acme/api/v2/scheduled-maintenances/upcoming.json", {}),
    ("/api/v2/status.json", {"HTTP_HOST": "acme.localhost:8000"}),
    ("/api/v2/components.json", {"HTTP_HOST": "status.acme.example"}),
    ("/pages/acme/", {}),
    ("/", {"HTTP_HOST": "acme.localhost"}),
]
# Differ between any two responses, whichever path served them.
PER_RESPONSE = {"date", "x-request-id"}


def _headers(response) -> dict:
    return {
        name.lower(): value for name, value in response.items() if name.lower() not in PER_RESPONSE
    }


@pytest.mark.parametrize(("path", "headers"), EARLY)
def test_a_hit_answered_before_the_stack_is_the_response_the_view_gives(
    domain_page, path, headers, monkeypatch, settings
):
    """The first read goes through sessions, CSRF, auth and the view; the next is answered by
    the early cache middleware without them. A reader cannot tell the two apart."""
    from public import views

    ComponentFactory(page=domain_page, name="API")
    built = Client().get(path, **headers)
    assert built.status_code == 200

    def no_view(*args, **kwargs):
        raise AssertionError("a current document reached the view")

    monkeypatch.setattr(views, "status_page_view", no_view)
    monkeypatch.setattr("public.api.document_view", no_view)
    monkeypatch.setattr("django.core.handlers.base.BaseHandler.resolve_request", no_view)
    early = Client().get(path, **headers)
    assert early.status_code == 200
    assert early.content == built.content
    assert _headers(early) == _headers(built)
    not_modified = Client().get(path, HTTP_IF_NONE_MATCH=built["ETag"], **headers)
    assert not_modified.status_code == 304
    monkeypatch.undo()
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "public.middleware.PublicCacheMiddleware"
    ]
    through_view = Client().get(path, HTTP_IF_NONE_MATCH=built["ETag"], **headers)
    assert through_view.status_code == 304
    assert _headers(not_modified) == _headers(through_view)


def test_a_miss_asks_the_cache_once_before_building(page, cache_calls):
    Client().get("/pages/acme/api/v2/summary.json")
    assert cache_calls[0] == "get_many"
    assert cache_calls.count("get_many") == 1


@pytest.mark.parametrize(
    ("path", "query"),
    [("/pages/acme/api/v2/summary.json", "x=1"), ("/pages/acme/api/v2/nothing.json", "")],
)
def test_reads_the_early_path_does_not_know_go_through_the_stack(page, path, query):
    response = Client().get(path, QUERY_STRING=query)
    assert response.status_code in (200, 404) and response["Content-Type"].startswith(
        "application/json"
    )


# Another process (another gunicorn worker, a Celery worker) writes the page: this process's
# copy of the document must be gone by the next read, pushed by Redis, never waited out.
ANOTHER_PROCESS_WRITES = """
import django
django.setup()
from statuspages.models import Component
from statuspages.services import component_update
from django.db import transaction
with transaction.atomic():
    component = Component.objects.get(id={component_id!r})
    component_update(component=component, manual_status="major_outage")
"""


def _in_another_process(code: str) -> None:
    parts = urlsplit(os.environ["DATABASE_URL"])
    test_db = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    environment = {
        **os.environ,
        "DATABASE_URL": test_db,  # the database pytest-django created for this run
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run([sys.executable, "-c", code], env=environment, check=True, timeout=60)


def _read_twice_keeping_a_copy(path: str, cache_calls: list[str]) -> dict:
    Client().get(path)  # built and stored in Redis
    Client().get(path)  # read from Redis, and a copy kept
    cache_calls.clear()
    first, again = Client().get(path), Client().get(path)
    assert cache_calls == []  # both from this process's copy
    assert again.content == first.content
    return first.json()


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_in_another_process_shows_on_the_next_read_here(page, cache_calls):
    component = ComponentFactory(page=page, name="API")
    path = "/pages/acme/api/v2/summary.json"
    before = _read_twice_keeping_a_copy(path, cache_calls)
    assert before["components"][0]["status"] == "operational"

    _in_another_process(ANOTHER_PROCESS_WRITES.format(component_id=component.id))

    after = Client().get(path).json()
    assert after["components"][0]["status"] == "major_outage"
    assert cache_calls == ["get_many", "add", "set", "delete"]  # a miss: rebuilt, once


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_the_invalidation_channel_cut_no_copy_is_served(page, cache_calls):
    """Redis drops the subscription (a restart, a network cut): a message may be lost, so
    what was copied is forgotten and reads go to Redis until the subscription is back; then
    copies are kept, and dropped by writes, again."""
    component = ComponentFactory(page=page, name="API")
    path = "/pages/acme/api/v2/summary.json"
    _read_twice_keeping_a_copy(path, cache_calls)

    caches["default"].redis_client().client_kill_filter(_type="pubsub")
    deadline = time.monotonic() + 5
    while True:  # the cut is noticed: the copy is forgotten, the read goes to Redis
        cache_calls.clear()
        assert Client().get(path).status_code == 200
        if cache_calls == ["get_many"]:
            break
        assert time.monotonic() < deadline, "a copy outlived the cut"
        time.sleep(0.01)

    deadline = time.monotonic() + 10
    while True:  # the subscription comes back by itself
        cache_calls.clear()
        Client().get(path)
        if not cache_calls:
            break
        assert time.monotonic() < deadline, "copies were not kept again"
        time.sleep(0.1)
    _in_another_process(ANOTHER_PROCESS_WRITES.format(component_id=component.id))
    assert Client().get(path).json()["components"][0]["status"] == "major_outage"


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readers_arriving_together_after_a_write_wait_for_one_build(page, caplog):
    """Right after a write every worker reading the page misses at once: one builds, the
    others wait for its document instead of each building the same one."""
    for n in range(150):
        ComponentFactory(page=page, name=f"Service {n}")
    caplog.set_level(logging.DEBUG, logger="public.http")
    start = threading.Barrier(6)
    answers: list[tuple[int, bytes]] = []

    def read():
        try:
            start.wait()
            response = Client().get("/pages/acme/")
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=60)
    assert [status for status, _ in answers] == [200] * 6
    assert len({content for _, content in answers}) == 1
    builds = [r for r in caplog.records if r.getMessage().startswith("built index.html")]
    assert len(builds) == 1


@pytest.mark.django_db(transaction=True)
def test_readers_of_a_missing_page_do_not_wait_on_each_other(caplog):
    """A build that ends without a document (no such page) lets the others go at once."""
    start = threading.Barrier(4)
    answers: list[tuple[int, float]] = []

    def read():
        try:
            start.wait()
            began = time.monotonic()
            response = Client().get("/pages/nobody/api/v2/summary.json")
            answers.append((response.status_code, time.monotonic() - began))
        finally:
            connection.close()

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=60)
    assert [status for status, _ in answers] == [404] * 4
    assert max(seconds for _, seconds in answers) < 2  # nobody waited out BUILD_WAIT_SECONDS
