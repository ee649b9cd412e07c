"""Monitor probes against real loopback servers: HTTP (status ranges, keyword, JSONPath,
latency, TLS expiry, timeout, redirects), the outbound rules, and many probes at once over one
reused connection per host. TCP and DNS: test_probes_tcp_dns.py."""

import json
import socket
import time

import pytest
from werkzeug import Response

from channels import addresses, outbound
from channels.probes import ProbeSpec, probe, run_many, statuses_parse


def check(spec: ProbeSpec):
    return outbound.run(probe(spec))


def http(url: str, **settings) -> ProbeSpec:
    return ProbeSpec(kind="http", target=url, timeout_seconds=5, **settings)


# ---- HTTP ---------------------------------------------------------------------------------


def test_a_target_answering_200_is_up_with_its_status_and_latency(allow_private, httpserver):
    httpserver.expect_request("/health").respond_with_data("ok")

    result = check(http(httpserver.url_for("/health")))

    assert (result.ok, result.degraded, result.status_code, result.error) == (True, False, 200, "")
    assert 0 <= result.latency_ms < 1000
    assert result.checked_at.tzinfo is not None


def test_a_target_answering_500_fails_naming_the_status(allow_private, httpserver):
    httpserver.expect_request("/health").respond_with_data("boom", status=500)

    result = check(http(httpserver.url_for("/health")))

    assert (result.ok, result.status_code) == (False, 500)
    assert result.error == "The status 500 is not one of 200-399."


@pytest.mark.parametrize(
    ("status", "expected", "ok"),
    [
        (204, "200,204", True),
        (205, "200,204", False),
        (418, "200, 410-420", True),
        (200, "201-299", False),
        (304, "300-399", True),
        (404, "200-399", False),
    ],
)
def test_expected_statuses_are_codes_and_ranges(allow_private, httpserver, status, expected, ok):
    httpserver.expect_request("/").respond_with_data("", status=status)

    assert check(http(httpserver.url_for("/"), expected_statuses=expected)).ok is ok


@pytest.mark.parametrize("text", ["", "abc", "200-", "99", "400-300", "200-600"])
def test_a_malformed_status_list_is_refused(text):
    with pytest.raises(ValueError):
        statuses_parse(text)


@pytest.mark.parametrize(
    ("keyword", "absent", "error"),
    [
        ("All Systems Operational", False, ""),
        ("Outage", False, "The keyword 'Outage' is not in the body."),
        ("Outage", True, ""),
        ("All Systems Operational", True, "The keyword 'All Systems Operational' is in the body."),
    ],
)
def test_a_keyword_must_be_present_or_absent(allow_private, httpserver, keyword, absent, error):
    httpserver.expect_request("/").respond_with_data("<h1>All Systems Operational</h1>")

    spec = {"keyword_absent": keyword} if absent else {"keyword": keyword}
    result = check(http(httpserver.url_for("/"), **spec))

    assert (result.ok, result.error) == (not error, error)


def test_a_keyword_deep_in_a_large_body_is_found(allow_private, httpserver):
    httpserver.expect_request("/").respond_with_data("x" * 900_000 + "All Systems Operational")

    result = check(http(httpserver.url_for("/"), keyword="All Systems Operational"))

    assert (result.ok, result.error) == (True, "")


STATUS_JSON = {
    "status": {"indicator": "none", "description": "All Systems Operational"},
    "components": [{"name": "API", "status": "operational", "position": 1, "showcase": True}],
    "page": {"updated": None},
}


@pytest.mark.parametrize(
    ("path", "expected", "error"),
    [
        ("$.status.indicator", "none", ""),
        ("$['status']['indicator']", "none", ""),
        ("$.components[0].name", "API", ""),
        ("$.components[0].position", "1", ""),
        ("$.components[0].showcase", "true", ""),
        ("$.page.updated", "null", ""),
        ("$.status.indicator", "", ""),  # any value will do
        ("$.status.indicator", "major", "$.status.indicator is 'none', not 'major'."),
        ("$.components[3].name", "API", "$.components[3].name selects nothing."),
    ],
)
def test_a_json_path_value_is_compared_as_a_string(
    allow_private, httpserver, path, expected, error
):
    httpserver.expect_request("/api/v2/status.json").respond_with_json(STATUS_JSON)
    url = httpserver.url_for("/api/v2/status.json")

    result = check(http(url, json_path=path, json_expected=expected))

    assert (result.ok, result.error) == (not error, error)


def test_a_json_path_on_a_body_that_is_not_json_fails(allow_private, httpserver):
    httpserver.expect_request("/").respond_with_data("<html>")

    result = check(http(httpserver.url_for("/"), json_path="$.status", json_expected="up"))

    assert (result.ok, result.error) == (False, "The body is not JSON.")


def test_method_headers_and_body_are_sent(allow_private, httpserver):
    httpserver.expect_request(
        "/hook", method="POST", headers={"X-Token": "abc"}, data=b'{"ping": 1}'
    ).respond_with_data("done")

    spec = http(
        httpserver.url_for("/hook"), method="POST", headers={"X-Token": "abc"}, body='{"ping": 1}'
    )

    assert check(spec).ok is True


def _slow(request):
    time.sleep(0.3)
    return Response("slow but fine")


def test_a_slow_answer_is_up_but_degraded(allow_private, httpserver):
    httpserver.expect_request("/").respond_with_handler(_slow)

    slow = check(http(httpserver.url_for("/"), latency_degraded_ms=100))
    patient = check(http(httpserver.url_for("/"), latency_degraded_ms=2000))

    assert (slow.ok, slow.degraded) == (True, True)
    assert slow.latency_ms >= 300
    assert "over 100 ms" in slow.detail
    assert (patient.ok, patient.degraded) == (True, False)


def test_no_answer_within_the_timeout_fails_with_timeout(allow_private, silent_http):
    started = time.monotonic()

    result = check(ProbeSpec(kind="http", target=silent_http, timeout_seconds=1))

    assert (result.ok, result.error, result.status_code) == (False, "timeout", None)
    assert time.monotonic() - started < 3


def test_a_refused_connection_fails_with_the_reason(allow_private, closed_port):
    result = check(http(f"http://127.0.0.1:{closed_port}/"))

    assert result.ok is False
    assert result.error.startswith("Could not connect")


def test_a_certificate_expiring_within_the_window_is_degraded(allow_private, tls_server):
    server = tls_server(days=3)
    url = f"https://127.0.0.1:{server.port}/"

    near = check(http(url, tls_expiry_days=14))
    far = check(http(url, tls_expiry_days=2))
    unchecked = check(http(url))

    assert (near.ok, near.degraded, near.status_code) == (True, True, 200)
    assert "certificate expires" in near.detail
    assert (far.ok, far.degraded) == (True, False)
    assert (unchecked.ok, unchecked.degraded) == (True, False)


def test_an_expired_certificate_fails(allow_private, tls_server):
    server = tls_server(days=-1)

    result = check(http(f"https://127.0.0.1:{server.port}/", tls_expiry_days=14))

    assert result.ok is False
    assert "certificate has expired" in result.error


# ---- the outbound rules -------------------------------------------------------------------


def test_a_private_target_is_a_failed_result_when_not_allowed(deny_private, httpserver):
    httpserver.expect_request("/").respond_with_data("ok")

    by_address = check(http(f"http://127.0.0.1:{httpserver.port}/"))
    by_name = check(http(f"http://localhost:{httpserver.port}/"))

    assert (by_address.ok, by_address.error) == (False, "The address '127.0.0.1' is not public.")
    assert (by_name.ok, by_name.error) == (
        False,
        "The host 'localhost' resolves to a non-public address.",
    )
    assert httpserver.log == []


def test_monitor_setting_overrides_the_webhook_one(deny_private, settings, httpserver):
    httpserver.expect_request("/").respond_with_data("ok")
    settings.MONITOR_ALLOW_PRIVATE_NETWORKS = True

    assert check(http(httpserver.url_for("/"))).ok is True

    settings.MONITOR_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    assert check(http(httpserver.url_for("/"))).ok is False


@pytest.fixture
def loopback_one_is_public(deny_private, monkeypatch):
    """Private networks refused, but 127.0.0.1 passes as public (the test server's stand-in
    for a public site); internal.example.test resolves to 10.1.2.3."""
    real_refused, real_resolve = addresses.refused, addresses.resolve
    monkeypatch.setattr(
        addresses, "refused", lambda ip: str(ip) != "127.0.0.1" and real_refused(ip)
    )

    def resolve(host, port, *args, **kwargs):
        if host == "internal.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]
        return real_resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(addresses, "resolve", resolve)


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("http://10.0.0.1/admin", "The address '10.0.0.1' is not public."),
        ("http://127.0.0.2/", "The address '127.0.0.2' is not public."),
        (
            "http://internal.example.test/",
            "The host 'internal.example.test' resolves to a non-public address.",
        ),
        ("file:///etc/passwd", "Only https or http URLs with a host are accepted."),
    ],
)
def test_a_redirect_to_a_private_address_is_refused_at_its_hop(
    loopback_one_is_public, httpserver, location, error
):
    httpserver.expect_request("/").respond_with_data("", status=302, headers={"Location": location})

    result = check(http(f"http://127.0.0.1:{httpserver.port}/"))

    assert (result.ok, result.error) == (False, error)
    assert len(httpserver.log) == 1


def test_redirects_are_followed_up_to_five_hops(allow_private, httpserver):
    for hop in range(1, 6):
        httpserver.expect_request(f"/{hop}").respond_with_data(
            "", status=301, headers={"Location": f"/{hop + 1}"}
        )
    httpserver.expect_request("/6").respond_with_data("arrived")
    followed = check(http(httpserver.url_for("/1"), keyword="arrived"))
    httpserver.clear()
    for hop in range(1, 8):
        httpserver.expect_request(f"/{hop}").respond_with_data(
            "", status=307, headers={"Location": f"/{hop + 1}"}
        )

    too_many = check(http(httpserver.url_for("/1")))

    assert (followed.ok, followed.status_code) == (True, 200)
    assert (too_many.ok, too_many.error) == (False, "More than 5 redirects.")


# ---- many at once -------------------------------------------------------------------------


def test_many_probes_over_fifty_hosts_reuse_one_connection_per_host(allow_private, loopback_farm):
    specs = [
        ProbeSpec(
            kind="http",
            target=f"http://{host}:{loopback_farm.port}/check/{n}",
            json_path="$.address",
            json_expected=host,
        )
        for n in range(2)
        for host in loopback_farm.hosts
    ]

    first = run_many(specs, concurrency=40, per_host=1)
    second = run_many(specs, concurrency=40, per_host=1)

    assert len(first) == len(second) == 100
    assert [r.error for r in first + second] == [""] * 200
    assert loopback_farm.requests == {host: 4 for host in loopback_farm.hosts}
    assert {host: len(peers) for host, peers in loopback_farm.connections.items()} == {
        host: 1 for host in loopback_farm.hosts
    }


def test_one_bad_spec_among_many_fails_alone(allow_private, httpserver):
    httpserver.expect_request("/").respond_with_data("ok")
    specs = [
        http(httpserver.url_for("/")),
        ProbeSpec(kind="ping", target="example.test"),
        http(httpserver.url_for("/"), expected_statuses="two hundred"),
        http(httpserver.url_for("/"), json_path="$[", json_expected="x"),
    ]

    results = run_many(specs)

    assert [r.ok for r in results] == [True, False, False, False]
    assert results[1].error == "The kind 'ping' is not one of http, tcp, dns."
    assert "not a list of status codes" in results[2].error
    assert results[3].error.startswith("'$[' is not a JSONPath")


def test_the_json_in_a_spec_is_the_body_sent(allow_private, httpserver):
    payload = {"query": "up"}
    httpserver.expect_request("/", method="PUT", json=payload).respond_with_data("ok")

    assert check(http(httpserver.url_for("/"), method="put", body=json.dumps(payload))).ok


def test_a_cookie_one_target_sets_never_rides_along_with_another_probe(allow_private, httpserver):
    """One session serves every organization's monitors: a cookie kept from one monitor's
    target would be sent with another monitor's probe of the same host."""
    assert httpserver.url_for("/").startswith("http://localhost:")  # a name: cookies stick to it
    httpserver.expect_request("/login").respond_with_data(
        "ok", headers={"Set-Cookie": "session=tenant-a-secret; Path=/"}
    )
    httpserver.expect_request("/health").respond_with_data("ok")

    check(http(httpserver.url_for("/login")))
    check(http(httpserver.url_for("/health")))

    health = [request for request, _ in httpserver.log if request.path == "/health"]
    assert len(health) == 1
    assert "Cookie" not in health[0].headers
