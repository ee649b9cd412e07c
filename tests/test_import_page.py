"""``manage.py import_page`` against real servers of each dialect: ours. A page with history is
built in one organization through ``/api/v1``; a live server serves it as Statuspage v1,
incident.io, Instatus and the public v2 JSON; each is imported into another organization and
compared object by object, then imported again (nothing created twice)."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.services import api_key_create, parse_scopes
from imports import http as import_http
from imports.models import SourceRecord
from incidents.models import Incident
from notifications.models import Delivery, NotificationEvent
from statuspages.models import StatusPage
from statuspages.status import effective_statuses
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Whole seconds: every dialect writes them exactly (Statuspage's shapes keep milliseconds).
T0 = (timezone.now() - timedelta(days=10)).replace(microsecond=0)
DIALECTS = ["statuspage", "incident-io", "instatus", "statuspage-public"]
BASES = {
    "statuspage": "/v1",
    "incident-io": "/incident-io",
    "instatus": "/instatus",
    "statuspage-public": "/pages/acme-cloud",
}


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Author:
    """Writes the source page through /api/v1, each call at a moment of its own."""

    def __init__(self, api):
        self.api = api
        self.keys = 0

    def at(self, moment, method, path, body=None, status=(200, 201)):
        self.keys += 1
        with time_machine.travel(moment, tick=False):
            response = getattr(self.api, method)(
                f"/api/v1{path}", body, format="json", HTTP_IDEMPOTENCY_KEY=f"k{self.keys}"
            )
        assert response.status_code in status, response.json()
        return response.json() if response.content else None


@pytest.fixture
def source(make_client, allow_private, live_server):
    """Organization ``acme``'s page "Acme Cloud" with groups, ordered components, incidents
    (resolved and open) with several updates, maintenances (done and coming), templates and
    subscribers of every state; and a key that reads it all."""
    organization = OrganizationFactory(slug="acme", name="Acme")
    api = make_client(organization=organization)
    author = Author(api)
    t = T0
    page = author.at(
        t,
        "post",
        "/status-pages",
        {"name": "Acme Cloud", "slug": "acme-cloud", "time_zone": "Europe/Paris"},
    )
    base = f"/status-pages/{page['id']}"
    core = author.at(t, "post", f"{base}/component-groups", {"name": "Core", "description": "Ours"})
    edge = author.at(t, "post", f"{base}/component-groups", {"name": "Edge"})
    ids = {}
    for name, group, extra in [
        ("API", core, {"description": "The public API"}),
        ("Database", core, {}),
        ("CDN", edge, {"status": "degraded_performance"}),
        ("DNS", edge, {"showcase": False}),
        ("Docs", None, {}),
        ("Blog", None, {"start_date": "2020-01-31"}),
    ]:
        body = {"name": name, **extra, **({"group_id": group["id"]} if group else {})}
        ids[name] = author.at(t, "post", f"{base}/components", body)["id"]
    # Database before API: the group's own order, not the order they were made in.
    author.at(
        t,
        "patch",
        f"{base}/component-groups/{core['id']}",
        {"component_ids": [ids["Database"], ids["API"]]},
    )

    resolved = author.at(
        t + timedelta(hours=1),
        "post",
        f"{base}/incidents",
        {
            "name": "API errors",
            "status": "investigating",
            "message": "We see errors on the API.",
            "component_statuses": [{"component_id": ids["API"], "status": "major_outage"}],
        },
    )
    author.at(
        t + timedelta(hours=1, minutes=20),
        "post",
        f"{base}/incidents/{resolved['id']}/updates",
        {
            "status": "identified",
            "message": "A bad deploy.",
            "component_statuses": [{"component_id": ids["API"], "status": "partial_outage"}],
        },
    )
    author.at(
        t + timedelta(hours=2),
        "post",
        f"{base}/incidents/{resolved['id']}/updates",
        {"status": "resolved", "message": "Rolled back."},
    )
    open_incident = author.at(
        t + timedelta(days=8),
        "post",
        f"{base}/incidents",
        {
            "name": "Slow database",
            "status": "investigating",
            "message": "Queries are slow.",
            "component_statuses": [
                {"component_id": ids["Database"], "status": "degraded_performance"}
            ],
        },
    )
    author.at(
        t + timedelta(days=8, minutes=30),
        "post",
        f"{base}/incidents/{open_incident['id']}/updates",
        {"status": "monitoring", "message": "An index was added; watching."},
    )

    done = author.at(
        t + timedelta(days=2),
        "post",
        f"{base}/maintenances",
        {
            "name": "Network upgrade",
            "message": "We will upgrade the network.",
            "start_at": _z(t + timedelta(days=3)),
            "end_at": _z(t + timedelta(days=3, hours=2)),
            "component_ids": [ids["CDN"], ids["DNS"]],
            "auto_transition": False,
        },
    )
    for offset, status, message in [
        (timedelta(days=3), "in_progress", "Upgrading."),
        (timedelta(days=3, hours=2), "completed", "Done."),
    ]:
        author.at(
            t + offset,
            "post",
            f"{base}/maintenances/{done['id']}/updates",
            {"status": status, "message": message},
        )
    author.at(
        t + timedelta(days=9),
        "post",
        f"{base}/maintenances",
        {
            "name": "Database failover drill",
            "message": "A drill.",
            "start_at": _z(timezone.now().replace(microsecond=0) + timedelta(days=5)),
            "end_at": _z(timezone.now().replace(microsecond=0) + timedelta(days=5, hours=1)),
            "component_ids": [ids["Database"]],
        },
    )

    author.at(
        t,
        "post",
        f"{base}/incident-templates",
        {
            "name": "API down",
            "title": "API unavailable",
            "message": "The API is down since {{ started_at }}.",
            "status": "investigating",
            "component_statuses": [{"component_id": ids["API"], "status": "major_outage"}],
        },
    )
    author.at(
        t,
        "post",
        f"{base}/maintenance-templates",
        {
            "name": "Patch night",
            "title": "Patching",
            "message": "Routine patching.",
            "status": "in_progress",
            "component_ids": [ids["DNS"]],
            "notify_subscribers": False,
        },
    )

    for body in [
        {"channel": "email", "email": "ann@example.com", "confirmed": True},
        {"channel": "email", "email": "bob@example.com", "component_ids": [ids["API"]]},
        {
            "channel": "sms",
            "phone_number": "+33612345678",
            "phone_country": "FR",
            "confirmed": True,
        },
        {"channel": "webhook", "endpoint": "http://127.0.0.1:9/hook", "email": "ops@example.com"},
    ]:
        author.at(t, "post", f"{base}/subscribers", body)

    _, token = api_key_create(organization=organization, name="export", scopes=parse_scopes("all"))
    return StatusPage.objects.get(id=page["id"]), token, live_server.url


def _run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_page", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _import(kind, source, organization="beta", *extra) -> tuple[str, str]:
    _, token, url = source
    arguments = ["--from", kind, "--url", url + BASES[kind], "--organization", organization]
    if kind != "statuspage-public":
        arguments += ["--api-key", token, "--with-subscribers"]
    return _run(*arguments, *extra)


def _components(page) -> dict:
    components = list(page.components.select_related("group"))
    statuses = effective_statuses(components)
    return {
        c.name: {
            "description": c.description,
            "group": c.group.name if c.group else None,
            "status": statuses[c.id],
            "showcase": c.showcase,
            "start_date": c.start_date,
        }
        for c in components
    }


def _structure(page) -> dict:
    return {
        "groups": [
            (g.name, g.description, [c.name for c in g.components.order_by("position", "id")])
            for g in page.groups.order_by("position", "id")
        ],
        "ungrouped": [
            c.name for c in page.components.filter(group=None).order_by("position", "id")
        ],
    }


def _records(records, names) -> list:
    return sorted(
        (names[r["component_id"]], r.get("status"), r.get("old_status"), r.get("new_status"))
        for r in records
    )


def _incidents(page, kind) -> list:
    names = dict(page.components.values_list("id", "name"))
    shown = []
    for incident in page.incidents.order_by("started_at"):
        updates = [
            (u.status, u.message, u.created_at)
            for u in incident.updates.order_by("created_at", "id")
        ]
        records = [_records(u.component_statuses, names) for u in incident.updates.all()]
        shown.append(
            {
                "name": incident.name,
                "status": incident.status,
                "impact": incident.impact,
                "started_at": incident.started_at,
                "created_at": incident.created_at,
                "monitoring_at": incident.monitoring_at,
                "resolved_at": incident.resolved_at,
                "updates": updates,
                "components": sorted(
                    (names[link.component_id], link.status)
                    for link in incident.component_links.all()
                ),
                "records": records,
            }
        )
    return shown


def _maintenances(page) -> list:
    return [
        {
            "name": m.name,
            "status": m.status,
            "start_at": m.start_at,
            "end_at": m.end_at,
            "started_at": m.started_at,
            "completed_at": m.completed_at,
            "components": sorted(c.name for c in m.components.all()),
            "updates": [
                (u.status, u.message, u.created_at) for u in m.updates.order_by("created_at", "id")
            ],
        }
        for m in page.maintenances.order_by("start_at")
    ]


def _templates(page) -> list:
    names = dict(page.components.values_list("id", "name"))
    incident = [
        (t.name, t.title, t.message, t.status, t.notify_subscribers)
        + (sorted((names[e["component_id"]], e["status"]) for e in t.component_statuses),)
        for t in page.incident_templates.all()
    ]
    maintenance = [
        (t.name, t.title, t.message, t.status, t.notify_subscribers)
        + (sorted(names[cid] for cid in t.component_ids),)
        for t in page.maintenance_templates.all()
    ]
    return incident + maintenance


def _subscribers(page) -> list:
    names = dict(page.components.values_list("id", "name"))
    return sorted(
        (
            s.channel,
            s.email,
            s.phone_number,
            s.endpoint,
            s.confirmed_at is not None,
            sorted(names[cid] for cid in s.component_ids),
        )
        for s in page.subscribers.all()
    )


def _without(rows: list, **drop) -> list:
    """Each dict of ``rows`` with ``drop``'s keys set to what a dialect cannot carry."""
    return [{**row, **drop} for row in rows]


def _expected(source_page, kind):
    """What ``kind`` carries of the source page, as the imported page must show it."""
    incidents = _incidents(source_page, kind)
    maintenances = _maintenances(source_page)
    components = _components(source_page)
    templates = _templates(source_page)
    if kind in ("statuspage", "statuspage-public"):
        # Statuspage's updates list what they did to components (old and new status).
        for incident in incidents:
            incident["records"] = [
                sorted((name, None, old, new) for name, _status, old, new in update)
                for update in incident["records"]
            ]
        # Statuspage's templates list their components, not a status for each.
        names = dict(source_page.components.values_list("name", "id"))
        statuses = effective_statuses(source_page.components.all())
        templates = [
            (*t[:5], sorted((n, statuses[names[n]]) for n, _ in t[5]))
            if t[3] in ("investigating",)
            else t
            for t in templates
        ]
    if kind == "incident-io":
        # incident.io's updates ask for a status per component (no old and new), and it has
        # no component status of its own: the CDN's manual degradation is not in its API.
        for incident in incidents:
            incident["records"] = [
                sorted((name, status, None, None) for name, status, _old, _new in update)
                for update in incident["records"]
            ]
        components["CDN"]["status"] = "operational"
        # A window's times are its components' periods: a finished one ran when it ran.
        for maintenance in maintenances:
            if maintenance["status"] == "completed":
                maintenance["start_at"] = maintenance["started_at"]
                maintenance["end_at"] = maintenance["completed_at"]
    if kind == "instatus":
        # Instatus's updates carry no component statuses: its incident lists them instead.
        for incident in incidents:
            incident["records"] = [[] for _ in incident["records"]]
    if kind in ("incident-io", "instatus"):
        for component in components.values():
            component["start_date"] = None  # neither API has a component's start date
    return {
        "structure": _structure(source_page),
        "components": components,
        "incidents": incidents,
        "maintenances": maintenances,
        "templates": templates if kind in ("statuspage", "instatus") else [],
    }


def _actual(page, kind):
    incidents = _incidents(page, kind)
    return {
        "structure": _structure(page),
        "components": _components(page),
        "incidents": incidents,
        "maintenances": _maintenances(page),
        "templates": _templates(page),
    }


def _counts() -> dict:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in (
            "statuspages",
            "incidents",
            "maintenances",
            "pagetemplates",
            "subscribers",
            "notifications",
            "imports",
            "audit",
            "uptime",
        )
    }


@pytest.mark.parametrize("kind", DIALECTS)
def test_each_dialect_copies_the_page_with_its_history_and_a_second_run_creates_nothing(
    source, kind
):
    source_page = source[0]
    OrganizationFactory(slug="beta", name="Beta")
    events, deliveries, sent = (
        NotificationEvent.objects.count(),
        Delivery.objects.count(),
        len(mail.outbox),
    )

    out, err = _import(kind, source)

    page = StatusPage.objects.get(organization__slug="beta")
    assert page.name == "Acme Cloud"
    assert page.slug == "acme-cloud-2"  # the name is kept; the slug was taken
    if kind in ("statuspage", "instatus", "statuspage-public"):
        assert page.time_zone == "Europe/Paris"
    assert _actual(page, kind) == _expected(source_page, kind)
    subscribers = _subscribers(page)
    if kind in ("statuspage", "instatus"):
        assert subscribers == _subscribers(source_page)
    else:
        assert subscribers == []
    objects = 1 + 2 + 6 + 2 + 2 + (2 + 4 if kind in ("statuspage", "instatus") else 0)
    assert out.splitlines()[-1] == f"imported {objects} objects ({objects} created, 0 updated)"
    assert "skipped" not in err
    # Importing tells nobody: no event, no delivery, no confirmation link.
    assert NotificationEvent.objects.count() == events
    assert Delivery.objects.count() == deliveries
    assert len(mail.outbox) == sent

    before = _actual(page, kind)
    counts = _counts()
    out, err = _import(kind, source)
    assert out.splitlines()[-1] == f"imported {objects} objects (0 created, {objects} updated)"
    assert _actual(page, kind) == before
    counts_after = _counts()
    counts_after.pop("audit.AuditEvent"), counts.pop("audit.AuditEvent")
    assert counts_after == counts
    assert StatusPage.objects.filter(organization__slug="beta").count() == 1


def test_a_dry_run_prints_the_plan_and_writes_nothing(source):
    OrganizationFactory(slug="beta", name="Beta")
    counts = _counts()

    out, err = _import("statuspage", source, "beta", "--dry-run")

    assert _counts() == counts
    lines = out.splitlines()
    assert lines[-1] == "imported 19 objects (19 created, 0 updated)"
    assert lines[-2] == "dry run: nothing was written"
    assert "would create page" in out and "would create incident" in out
    assert not StatusPage.objects.filter(organization__slug="beta").exists()


def test_a_second_run_brings_what_changed_at_the_source(source, make_client):
    source_page, token, url = source
    OrganizationFactory(slug="beta", name="Beta")
    _import("instatus", source)
    page = StatusPage.objects.get(organization__slug="beta")
    api = make_client(organization=source_page.organization)
    open_incident = source_page.incidents.get(status="monitoring")
    response = api.post(
        f"/api/v1/status-pages/{source_page.id}/incidents/{open_incident.id}/updates",
        {"status": "resolved", "message": "All good."},
        format="json",
    )
    assert response.status_code == 201

    out, _ = _import("instatus", source)

    assert out.splitlines()[-1] == "imported 19 objects (0 created, 19 updated)"
    imported = page.incidents.get(name="Slow database")
    assert imported.status == "resolved"
    assert [u.message for u in imported.updates.order_by("created_at")][-1] == "All good."
    statuses = effective_statuses(page.components.all())
    assert statuses[page.components.get(name="Database").id] == "operational"


def test_a_source_it_cannot_read_exits_non_zero_and_writes_nothing(source, httpserver, monkeypatch):
    _, token, url = source
    monkeypatch.setattr(import_http, "sleep", lambda seconds: None)
    httpserver.expect_request("/v2/pages").respond_with_data("<html>Hello</html>")
    OrganizationFactory(slug="beta", name="Beta")
    counts = _counts()
    cases = [
        ("statuspage", url + "/v1", "spk_nope_nope", "refused the key \\(401\\)"),
        ("instatus", httpserver.url_for("/"), token, "not JSON"),
        ("incident-io", "http://127.0.0.1:9", token, "no answer"),
        ("statuspage-public", url + "/pages/nobody", "", "answered 404"),
        ("statuspage", url + "/v1", "", "needs an API key"),
    ]
    for kind, base, key, said in cases:
        with pytest.raises(CommandError, match=said):
            _run("--from", kind, "--url", base, "--api-key", key, "--organization", "beta")
    assert _counts() == counts


def test_a_private_source_is_refused_by_the_outbound_rules(source, deny_private):
    _, token, url = source
    OrganizationFactory(slug="beta", name="Beta")
    with pytest.raises(CommandError, match="outbound rules"):
        _import("statuspage", source)


def test_an_item_the_services_refuse_is_reported_and_the_rest_imported(source):
    source_page = source[0]
    OrganizationFactory(slug="beta", name="Beta")
    # An incident whose name a service here refuses (written around the services).
    Incident.objects.filter(page=source_page, name="API errors").update(name="")

    out, err = _import("instatus", source)

    assert "skipped incident" in err and "name: This field is required." in err
    assert out.splitlines()[-1] == "imported 18 objects (18 created, 0 updated)"
    page = StatusPage.objects.get(organization__slug="beta")
    assert list(page.incidents.values_list("name", flat=True)) == ["Slow database"]
    # Nothing of the refused one stays: no incident, no update, no record.
    assert SourceRecord.objects.filter(object_type="incident").count() == 1
    assert SourceRecord.objects.filter(object_type="incident_update").count() == 2


def _document(page_id: str, **fields) -> dict:
    return {"page": {"id": page_id, "name": "Remote", "url": "x", "time_zone": "UTC"}, **fields}


def test_rate_limits_are_waited_out_and_a_garbled_item_is_skipped(
    httpserver, allow_private, monkeypatch, db
):
    """A Statuspage page's public JSON on a loopback server that says 429 once."""
    OrganizationFactory(slug="beta", name="Beta")
    waits = []
    monkeypatch.setattr(import_http, "sleep", waits.append)
    at = "2024-05-01T10:00:00.000Z"
    update = {
        "id": "u1",
        "status": "resolved",
        "body": "Fixed.",
        "created_at": at,
        "display_at": at,
        "affected_components": None,
    }
    incidents = [
        {
            "id": "i1",
            "name": "Outage",
            "status": "resolved",
            "impact": "minor",
            "created_at": at,
            "updated_at": at,
            "started_at": at,
            "incident_updates": [update],
            "components": [],
        },
        {
            "id": "i2",
            "name": "Garbled",
            "status": "resolved",
            "created_at": "yesterday",
            "incident_updates": [update],
        },
    ]
    documents = {
        "summary.json": _document("remote", components=[], incidents=[]),
        "components.json": _document("remote", components=[]),
        "incidents.json": _document("remote", incidents=incidents),
        "scheduled-maintenances.json": _document("remote", scheduled_maintenances=[]),
    }
    httpserver.expect_oneshot_request("/api/v2/summary.json").respond_with_data(
        "{}", status=429, headers={"Retry-After": "1"}
    )
    for name, document in documents.items():
        httpserver.expect_request(f"/api/v2/{name}").respond_with_json(document)

    out, err = _run(
        "--from", "statuspage-public", "--url", httpserver.url_for("/"), "--organization", "beta"
    )

    assert waits == [1.0]
    assert "skipped incident i2: could not be read" in err
    assert out.splitlines()[-1] == "imported 2 objects (2 created, 0 updated)"
    page = StatusPage.objects.get(organization__slug="beta")
    incident = page.incidents.get()
    assert (incident.name, incident.impact, incident.resolved_at) == (
        "Outage",
        "minor",
        datetime(2024, 5, 1, 10, tzinfo=UTC),
    )


def test_retry_after_reads_seconds_and_http_dates():
    assert import_http.retry_after({"Retry-After": "7"}) == 7.0
    assert (
        import_http.retry_after(
            {"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"},
            now=datetime(2015, 10, 21, 7, 28, tzinfo=UTC).timestamp(),
        )
        == 10.0
    )
    assert import_http.retry_after({}) is None
    assert import_http.retry_after({"Retry-After": "soon"}) is None
