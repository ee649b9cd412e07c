"""Subscribers as a CSV file: GET .../subscribers.csv and POST .../subscribers/import."""

import csv
import io
import math
import threading
import time
import tracemalloc

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from incidents.services import incident_create
from subscribers import api as subscribers_api
from subscribers.imports import SubscriberRow, subscribers_import
from subscribers.models import Subscriber
from tests.factories import (
    ComponentFactory,
    OrganizationFactory,
    StatusPageFactory,
    SubscriberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]

HEADER = "channel,email,phone_number,phone_country,endpoint,component_ids,confirmed"
ATTESTATION = "confirmed: a confirmed email or SMS subscriber is imported only with the attestation"


def _export_url(page):
    return f"/api/v1/status-pages/{page.id}/subscribers.csv"


def _import_url(page, attest=None):
    query = f"?attest_confirmed={attest}" if attest is not None else ""
    return f"/api/v1/status-pages/{page.id}/subscribers/import{query}"


def _export(api, page) -> str:
    response = api.get(_export_url(page))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode()


def _import(api, page, text: str, attest=None, **extra):
    return api.post(
        _import_url(page, attest), text.encode(), content_type="text/csv; charset=utf-8", **extra
    )


def _subscriptions(page) -> list[tuple]:
    """What each subscriber of the page is, apart from its id and times."""
    rows = Subscriber.objects.filter(page=page).values_list(
        "channel",
        "email",
        "phone_number",
        "phone_country",
        "endpoint",
        "component_ids",
        "incident_id",
        "confirmed_at",
    )
    return sorted((*row[:-1], row[-1] is not None) for row in rows)


def _lines(text: str) -> tuple[str, list[str]]:
    """The header, and the records in an order of their own (subscribers created in the same
    instant are listed in id order, which is random)."""
    header, *records = text.split("\r\n")
    return header, sorted(records)


@pytest.fixture
def subscribed(page):
    """A page with a subscriber of every channel and state, some on components."""
    api_component, web = ComponentFactory(page=page, name="API"), ComponentFactory(page=page)
    make = Subscriber.objects.create
    make(page=page, channel="email", email="ann@example.com", confirmed_at=timezone.now())
    make(page=page, channel="email", email="bob@example.com")  # unconfirmed
    make(
        page=page,
        channel="email",
        email="cat@example.com",
        component_ids=[api_component.id, web.id],
        confirmed_at=timezone.now(),
    )
    make(
        page=page,
        channel="sms",
        phone_number="+14155550100",
        phone_country="US",
        confirmed_at=timezone.now(),
    )
    SubscriberFactory(page=page, endpoint="http://127.0.0.1:9/hooks/a", email="ops@example.com")
    SubscriberFactory(
        page=page, endpoint="http://127.0.0.1:9/hooks/q", quarantined_at=timezone.now()
    )
    for channel in ("slack", "teams", "discord", "google_chat"):
        make(
            page=page,
            channel=channel,
            endpoint=f"http://127.0.0.1:9/{channel}/T000/B000/XXXX",
            confirmed_at=timezone.now(),
        )
    incident = incident_create(page=page, name="Checkout errors")
    make(page=page, channel="email", email="dan@example.com", incident=incident)
    return page


# ---- export ----------------------------------------------------------------------------------


def test_the_export_lists_every_channel_with_its_address_and_no_secret(api, subscribed):
    text = _export(api, subscribed)
    assert text.startswith(HEADER + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_address = {row["endpoint"] or row["phone_number"] or row["email"]: row for row in rows}
    assert by_address["ann@example.com"]["confirmed"] == "true"
    assert by_address["bob@example.com"]["confirmed"] == "false"
    cat = by_address["cat@example.com"]
    assert (
        cat["component_ids"].split()
        == Subscriber.objects.get(email="cat@example.com").component_ids
    )
    # E.164 starts with "+", which a spreadsheet would run as a formula.
    assert by_address["'+14155550100"] == {
        "channel": "sms",
        "email": "",
        "phone_number": "'+14155550100",
        "phone_country": "US",
        "endpoint": "",
        "component_ids": "",
        "confirmed": "true",
    }
    hook = by_address["http://127.0.0.1:9/hooks/a"]
    assert (hook["channel"], hook["email"], hook["confirmed"]) == (
        "webhook",
        "ops@example.com",
        "true",
    )
    assert "http://127.0.0.1:9/hooks/q" in by_address  # quarantined: still a subscriber
    assert {row["channel"] for row in rows} == {
        "email",
        "sms",
        "webhook",
        "slack",
        "teams",
        "discord",
        "google_chat",
    }
    assert "dan@example.com" not in text  # follows one incident: the file cannot say which
    assert len(rows) == Subscriber.objects.filter(incident__isnull=True).count() == 10
    for secret in Subscriber.objects.exclude(signing_secret="").values_list(
        "signing_secret", flat=True
    ):
        assert secret not in text
    assert "whsec_" not in text


def test_the_export_is_an_attachment_that_is_not_cached(api, subscribed):
    response = api.get(_export_url(subscribed), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="subscribers-acme.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert "X-RateLimit-Remaining" in response and "X-Request-Id" in response


def test_cells_a_spreadsheet_would_run_are_written_as_text_and_import_back_unchanged(
    api, page, organization
):
    addresses = ["=1+2@example.com", "-2+3@example.com", "+cmd@example.com", "'=x@example.com"]
    for address in addresses:
        Subscriber.objects.create(
            page=page, channel="email", email=address, confirmed_at=timezone.now()
        )
    text = _export(api, page)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    emails = [row["email"] for row in csv.DictReader(io.StringIO(text))]
    assert emails == [
        "'=1+2@example.com",
        "'-2+3@example.com",
        "'+cmd@example.com",
        "''=x@example.com",
    ]

    other = StatusPageFactory(organization=organization, slug="other")
    imported = _import(api, other, text, attest="true")
    assert imported.json() == {"created": 4, "skipped": 0, "errors": []}
    assert sorted(Subscriber.objects.filter(page=other).values_list("email", flat=True)) == sorted(
        addresses
    )


def _memory_peak_while_streaming(api, page) -> tuple[int, int]:
    tracemalloc.start()
    try:
        response = api.get(_export_url(page))
        size = sum(len(chunk) for chunk in response.streaming_content)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_the_export_streams_in_memory_that_does_not_grow_with_the_page(api, page, monkeypatch):
    monkeypatch.setattr(subscribers_api, "EXPORT_CHUNK_SIZE", 100)
    rows = [
        Subscriber(
            page=page, channel="email", email=f"reader{n}@example.com", confirmed_at=timezone.now()
        )
        for n in range(3000)
    ]
    Subscriber.objects.bulk_create(rows[:300])
    _memory_peak_while_streaming(api, page)  # first use: code loaded, caches filled
    small_peak, small_size = _memory_peak_while_streaming(api, page)
    Subscriber.objects.bulk_create(rows[300:])
    large_peak, large_size = _memory_peak_while_streaming(api, page)
    assert large_size > 9 * small_size
    # Ten times the subscribers, the same chunk of rows in memory, the same peak (some 250 KB
    # here). Fetching the 3,000 rows at once peaks at some 1 MB; holding the file adds 100 KB.
    assert large_peak < small_peak + 75_000, (small_peak, large_peak)


def test_the_export_costs_the_same_queries_for_ten_subscribers_and_three_thousand(
    api, page, monkeypatch
):
    monkeypatch.setattr(subscribers_api, "EXPORT_CHUNK_SIZE", 500)  # several chunks
    _export(api, page)  # the key's first use is stamped once
    counts = []
    for size in (10, 3000):
        Subscriber.objects.all().delete()
        Subscriber.objects.bulk_create(
            Subscriber(
                page=page,
                channel="email",
                email=f"reader{n}@example.com",
                component_ids=["cmp_a", "cmp_b"],
                confirmed_at=timezone.now(),
            )
            for n in range(size)
        )
        with CaptureQueriesContext(connection) as queries:
            text = _export(api, page)
        assert text.count("\r\n") == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1] == 3, counts  # the key, the page, the subscribers


# ---- import ----------------------------------------------------------------------------------


def test_an_exported_page_imports_into_another_page_unchanged(api, subscribed, organization):
    text = _export(api, subscribed)
    other = StatusPageFactory(organization=organization, slug="other")
    response = _import(api, other, text, attest="true")
    assert response.status_code == 200, response.content
    body = response.json()
    # cat@ follows two components of the first page, which the other page does not have.
    cat_line = next(n for n, line in enumerate(text.split("\r\n"), 1) if "cat@" in line)
    assert body["errors"] == [{"line": cat_line, "message": body["errors"][0]["message"]}]
    assert body["errors"][0]["message"].startswith(
        "component_ids: Unknown component(s) on this page"
    )
    assert (body["created"], body["skipped"]) == (9, 0)

    page_wide = [row for row in _subscriptions(subscribed) if not row[5] and not row[6]]
    assert _subscriptions(other) == page_wide
    lines = text.split("\r\n")
    assert _lines(_export(api, other)) == _lines(
        "\r\n".join(lines[: cat_line - 1] + lines[cat_line:])
    )
    # A webhook gets a signing secret of its own, never the first page's.
    old, new = (
        Subscriber.objects.get(page=page, endpoint="http://127.0.0.1:9/hooks/a").signing_secret
        for page in (subscribed, other)
    )
    assert new.startswith("whsec_") and new != old


def test_an_export_imports_back_into_its_page_with_its_components(api, subscribed):
    text = _export(api, subscribed)
    before = _subscriptions(subscribed)
    Subscriber.objects.filter(page=subscribed, incident__isnull=True).delete()
    response = _import(api, subscribed, text, attest="true")
    assert response.json() == {"created": 10, "skipped": 0, "errors": []}
    assert _subscriptions(subscribed) == before
    assert _lines(_export(api, subscribed)) == _lines(text)


def test_bad_lines_are_reported_with_their_physical_line_and_the_good_ones_are_kept(
    api, page, deny_private
):
    one, two = ComponentFactory(page=page), ComponentFactory(page=page)
    foreign = ComponentFactory(page=StatusPageFactory(organization=page.organization))
    text = "\r\n".join(
        [
            HEADER,  # 1
            "email,ann@example.com,,,,,false",  # 2: good
            "email,not-an-address,,,,,false",  # 3
            # 4-6: one record over three lines (its components, one per line), good
            f'email,bob@example.com,,,,"{one.id}\n{two.id}\n",false',
            "sms,,12,,,,false",  # 7
            "",  # 8: blank, skipped
            "pigeon,carl@example.com,,,,,false",  # 9
            "webhook,,,,https://127.0.0.1/hook,,false",  # 10: a private address
            "webhook,,,,javascript:alert(1),,false",  # 11
            f"email,dee@example.com,,,,{foreign.id},false",  # 12
            "email,eve@example.com,,,,false",  # 13: a field short
            "email,fay@example.com,,,,,maybe",  # 14
            '"email","multi\nline@example.com",,,,,false',  # 15-16: a line break in an address
            "email,gus@example.com,\x00,,,,false",  # 17
            "sms,,(415) 555-0101,us,,,",  # 18: good, national with its country
            "slack,,,,https://10.1.2.3/T0/B0/X,,false",  # 19: a private address
        ]
    )
    response = _import(api, page, text)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["skipped"]) == (3, 0)
    errors = {error["line"]: error["message"] for error in body["errors"]}
    assert sorted(errors) == [3, 7, 9, 10, 11, 12, 13, 14, 15, 17, 19], errors
    assert errors[3] == "email: Enter a valid email address."
    assert errors[7].startswith("phone_number: ")
    assert errors[9] == "channel: Unknown channel 'pigeon'."
    assert errors[10].startswith("endpoint: ") and "127.0.0.1" in errors[10]
    assert errors[11] == "endpoint: Only https URLs are accepted."
    assert errors[12] == f"component_ids: Unknown component(s) on this page: {foreign.id}."
    assert errors[13] == "Expected 7 fields (as the header), found 6."
    assert errors[14] == "confirmed: use true or false (empty: false)."
    assert errors[15] == "email: Enter a valid email address."
    assert errors[17] == "Null characters are not allowed."
    assert errors[19].startswith("endpoint: ") and "10.1.2.3" in errors[19]
    assert _subscriptions(page) == [
        ("email", "ann@example.com", "", "", "", [], None, False),
        ("email", "bob@example.com", "", "", "", [one.id, two.id], None, False),
        ("sms", "", "+14155550101", "US", "", [], None, False),
    ]


def test_importing_the_same_file_again_creates_nothing_twice(api, page):
    text = "\n".join(
        [
            HEADER,
            "email,ann@example.com,,,,,false",
            "sms,,+14155550100,,,,false",
            "webhook,ops@example.com,,,http://127.0.0.1:9/hook,,false",
            "slack,,,,http://127.0.0.1:9/hook,,false",  # the same URL on another channel
            "email,ann@example.com,,,,,false",  # again in the same file
        ]
    )
    assert _import(api, page, text).json() == {"created": 4, "skipped": 1, "errors": []}
    assert _import(api, page, text).json() == {"created": 0, "skipped": 5, "errors": []}
    assert Subscriber.objects.filter(page=page).count() == 4


def test_an_address_following_an_incident_is_still_imported_for_the_page(api, page):
    incident = incident_create(page=page, name="Errors")
    Subscriber.objects.create(
        page=page, channel="email", email="ann@example.com", incident=incident
    )
    body = _import(api, page, f"{HEADER}\nemail,ann@example.com,,,,,false\n").json()
    assert body == {"created": 1, "skipped": 0, "errors": []}


def test_confirmed_email_and_sms_rows_need_the_attestation_and_nobody_is_messaged(
    api, page, django_capture_on_commit_callbacks
):
    text = "\n".join(
        [
            HEADER,
            "email,ann@example.com,,,,,true",
            "email,bob@example.com,,,,,false",
            "sms,,+14155550100,US,,,true",
            "webhook,,,,http://127.0.0.1:9/hook,,true",
            "",
        ]
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _import(api, page, text)
    body = response.json()
    assert (body["created"], body["skipped"]) == (2, 0)
    assert [error["line"] for error in body["errors"]] == [2, 4]
    assert all(error["message"].startswith(ATTESTATION) for error in body["errors"])
    assert _subscriptions(page) == [
        ("email", "bob@example.com", "", "", "", [], None, False),
        # A webhook needs no opt-in: active, as when created through the API.
        ("webhook", "", "", "", "http://127.0.0.1:9/hook", [], None, True),
    ]
    assert callbacks == [] and mail.outbox == []  # no confirmation link to anyone

    again = _import(api, page, text, attest="true").json()
    assert again == {"created": 2, "skipped": 2, "errors": []}
    ann = Subscriber.objects.get(email="ann@example.com")
    sms = Subscriber.objects.get(channel="sms")
    assert ann.is_active and sms.is_active
    assert mail.outbox == []


def test_the_activity_log_names_the_key_that_attested_the_import(
    api, make_client, page, organization
):
    importer = make_client(organization=organization, scopes="subscribers:write", name="crm sync")
    text = "\n".join(
        [
            HEADER,
            "email,ann@example.com,,,,,true",
            "webhook,,,,http://127.0.0.1:9/h,,false",
            "email,a field short,,,,",
            "",
        ]
    )
    assert _import(importer, page, text, attest="true").json()["created"] == 2

    events = api.get("/api/v1/audit-events", {"action": "status_page.subscribers_imported"})
    (event,) = events.json()["data"]
    assert event["actor"] == {"type": "api_key", "id": importer.key.id, "name": "crm sync"}
    assert event["object"] == {"type": "status_page", "id": page.id}
    assert event["changes"] == {
        "subscribers_created": [None, 2],
        "subscribers_skipped": [None, 0],
        "lines_refused": [None, 1],
        "attest_confirmed": [None, True],
        "confirmed_attested": [None, 1],
    }
    # Each subscriber is recorded as created, as one created through the API would be.
    created = api.get("/api/v1/audit-events", {"action": "subscriber.created"}).json()["data"]
    assert {e["object"]["id"] for e in created} == set(
        Subscriber.objects.values_list("id", flat=True)
    )
    assert all(e["actor"]["id"] == importer.key.id for e in created)
    hook = next(e for e in created if e["changes"]["channel"][1] == "webhook")
    assert hook["changes"]["endpoint"] == ["[secret]", "[secret]"]
    assert hook["changes"]["signing_secret"] == ["[secret]", "[secret]"]

    _import(importer, page, text)
    latest = api.get("/api/v1/audit-events", {"action": "status_page.subscribers_imported"})
    assert latest.json()["data"][0]["changes"]["attest_confirmed"] == [None, False]


# ---- who may: scopes, organizations, the file itself -----------------------------------------


def test_a_read_key_exports_but_cannot_import_and_a_key_without_the_scope_cannot_export(
    make_client, organization, subscribed
):
    reader = make_client(organization=organization, scopes="subscribers:read")
    assert reader.get(_export_url(subscribed)).status_code == 200
    refused = _import(reader, subscribed, f"{HEADER}\nemail,new@example.com,,,,,false\n")
    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {"required_scope": "subscribers:write"}
    nobody = make_client(organization=organization, scopes="")
    export = nobody.get(_export_url(subscribed), HTTP_ACCEPT="text/csv")
    assert export.status_code == 403
    assert export["Content-Type"] == "application/json"
    assert export.json()["error"]["details"] == {"required_scope": "subscribers:read"}
    writer = make_client(organization=organization, scopes="subscribers:write")
    assert writer.get(_export_url(subscribed)).status_code == 200  # write implies read
    assert not Subscriber.objects.filter(email="new@example.com").exists()


def test_another_organizations_page_is_not_found(make_client, subscribed):
    stranger = make_client(organization=OrganizationFactory(slug="globex"))
    assert stranger.get(_export_url(subscribed)).json()["error"]["code"] == "not_found"
    refused = _import(stranger, subscribed, f"{HEADER}\nemail,x@example.com,,,,,false\n")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    # A key limited to another page of the organization: the same 404.
    elsewhere = StatusPageFactory(organization=subscribed.organization, slug="elsewhere")
    limited = make_client(organization=subscribed.organization, page_ids=[elsewhere.id])
    assert limited.get(_export_url(subscribed)).status_code == 404
    assert not Subscriber.objects.filter(email="x@example.com").exists()


def test_a_file_over_the_body_limit_is_a_413(api, page, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    text = HEADER + "\n" + "".join(f"email,r{n}@example.com,,,,,false\n" for n in range(100))
    response = _import(api, page, text)
    assert response.status_code == 413
    error = response.json()["error"]
    assert (error["code"], error["details"]) == ("payload_too_large", {"max_body_bytes": 1000})
    assert not Subscriber.objects.exists()


def test_a_body_that_is_not_csv_is_a_415(api, page):
    response = api.post(
        _import_url(page), {"channel": "email", "email": "a@example.com"}, format="json"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    empty = api.post(_import_url(page), b"", content_type="application/json")
    assert empty.status_code == 415


@pytest.mark.parametrize(
    ("body", "content_type", "code", "names"),
    [
        (b"", "text/csv", "validation_error", "first line must name the columns"),
        (b"\n\nemail,a@example.com\n", "text/csv", "validation_error", "first line"),
        (b"channel,email,language\n", "text/csv", "validation_error", "'language'"),
        (b"email,confirmed\n", "text/csv", "validation_error", "no 'channel' column"),
        (b"channel,email,email\n", "text/csv", "validation_error", "repeated"),
        (b"channel,email\nemail,j\xfcrg@example.com\n", "text/csv", "parse_error", "utf-8"),
        (b"channel\nemail\n", "text/csv; charset=klingon", "parse_error", "klingon"),
    ],
)
def test_a_file_no_row_of_which_can_be_read_is_a_400(api, page, body, content_type, code, names):
    response = api.post(_import_url(page), body, content_type=content_type)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert names in str(error), error
    assert not Subscriber.objects.exists()


def test_a_file_in_another_charset_or_with_a_byte_order_mark_is_read(api, page):
    latin1 = "channel,endpoint\nwebhook,http://127.0.0.1:9/m\u00fcller\n".encode("latin-1")
    response = api.post(_import_url(page), latin1, content_type="text/csv; charset=latin-1")
    assert response.json() == {"created": 1, "skipped": 0, "errors": []}
    assert Subscriber.objects.get().endpoint == "http://127.0.0.1:9/m\u00fcller"
    excel = "\ufeffChannel,Email\r\nemail,ann@example.com\r\n".encode()
    assert _import(api, page, excel.decode()).json()["created"] == 1


def test_an_unknown_query_parameter_or_attestation_value_is_a_400(api, page):
    text = f"{HEADER}\nemail,a@example.com,,,,,true\n"
    assert _import(api, page, text, attest="yes").status_code == 400
    response = api.post(_import_url(page) + "?attest=true", text.encode(), content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"attest": ["Unknown query parameter."]}


def test_a_replayed_import_answers_the_first_result(api, page):
    text = f"{HEADER}\nemail,ann@example.com,,,,,false\n"
    first = _import(api, page, text, HTTP_IDEMPOTENCY_KEY="import-1")
    again = _import(api, page, text, HTTP_IDEMPOTENCY_KEY="import-1")
    assert first.json() == again.json() == {"created": 1, "skipped": 0, "errors": []}
    assert again["Idempotent-Replayed"] == "true"


# ---- cost ------------------------------------------------------------------------------------


def _import_file(size: int, components) -> str:
    ids = " ".join(component.id for component in components)
    rows = []
    for n in range(size):
        rows.append(f"email,reader{n}@example.com,,,,{ids},false")
        if n % 10 == 0:
            rows.append(f"email,bad{n},,,,,false")
    return "\n".join([HEADER, *rows, ""])


def test_the_import_costs_a_few_queries_per_batch_not_per_row(api, page):
    components = ComponentFactory.create_batch(3, page=page)
    _import(api, page, HEADER)  # the key's first use is stamped once
    counts = {}
    for size in (10, 450):
        Subscriber.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            body = _import(api, page, _import_file(size, components)).json()
        assert body["created"] == size and len(body["errors"]) == size // 10
        counts[size] = len(queries)
    # One batch either way: the same statements, except that a database may split a bulk
    # INSERT of many rows (SQLite binds at most 999 parameters a statement; PostgreSQL: one).
    more_inserts = _inserts(Subscriber, 450) - 1 + _inserts(AuditEvent, 450) - 1
    assert counts[450] == counts[10] + more_inserts, counts


def _inserts(model, rows: int) -> int:
    """The INSERT statements one ``bulk_create`` of ``rows`` objects of ``model`` takes here."""
    fields = model._meta.concrete_fields
    return math.ceil(rows / connection.ops.bulk_batch_size(fields, [None] * rows))


@pytest.mark.postgres
def test_two_batches_cost_two_batches_of_queries_on_postgresql(api, page, on_postgres):
    component = ComponentFactory(page=page)
    _import(api, page, HEADER)  # the key's first use is stamped once
    counts = {}
    for size in (10, 600):  # one batch, two (IMPORT_BATCH_SIZE is 500)
        Subscriber.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert _import(api, page, _import_file(size, [component])).json()["created"] == size
        counts[size] = len(queries)
    assert counts[600] == counts[10] + 3, counts  # look up, insert, record: once more


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_sent_again_while_the_first_is_running_creates_nothing_twice(
    on_postgres, make_client, page
):
    """A client that timed out and sends the file again: the second import waits for the first
    and skips its rows (without the page lock it would see none of them and add them again)."""
    keyed = make_client(organization=page.organization)
    rows = [
        SubscriberRow(line=n + 2, channel="email", email=f"r{n}@example.com") for n in range(50)
    ]
    first_written, outcomes = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                outcomes["first"] = subscribers_import(page=page, rows=rows, attest_confirmed=False)
                first_written.set()
                time.sleep(1)  # still uncommitted while the second arrives
        finally:
            connection.close()

    def second():
        try:
            first_written.wait(10)
            text = HEADER + "\n" + "".join(f"email,{row.email},,,,,false\n" for row in rows)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keyed.token}")
            outcomes["second"] = _import(client, page, text).json()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes["first"].created == 50
    assert outcomes["second"] == {"created": 0, "skipped": 50, "errors": []}
    assert Subscriber.objects.filter(page=page).count() == 50
