"""TCP and DNS monitor probes against a real loopback listener and a local DNS responder."""

import time

import pytest

from channels import outbound
from channels.probes import ProbeSpec, probe


def check(spec: ProbeSpec):
    return outbound.run(probe(spec))


# ---- TCP ----------------------------------------------------------------------------------


def test_a_tcp_listener_that_accepts_is_up(allow_private, tcp_listener):
    result = check(ProbeSpec(kind="tcp", target=f"127.0.0.1:{tcp_listener.port}"))

    assert (result.ok, result.error) == (True, "")
    assert result.latency_ms is not None
    deadline = time.monotonic() + 2
    while tcp_listener.accepted == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert tcp_listener.accepted == 1


def test_a_tcp_port_nobody_listens_on_is_down(allow_private, closed_port):
    result = check(ProbeSpec(kind="tcp", target=f"localhost:{closed_port}", timeout_seconds=2))

    assert result.ok is False
    assert result.error.startswith("Could not connect: 127.0.0.1:")


def test_a_private_tcp_target_is_refused_without_connecting(deny_private, tcp_listener):
    result = check(ProbeSpec(kind="tcp", target=f"127.0.0.1:{tcp_listener.port}"))

    assert (result.ok, result.error) == (False, "The address '127.0.0.1' is not public.")
    time.sleep(0.3)
    assert tcp_listener.accepted == 0


@pytest.mark.parametrize("target", ["127.0.0.1", "127.0.0.1:http", ":80", "[::1"])
def test_a_tcp_target_without_a_port_fails(allow_private, target):
    result = check(ProbeSpec(kind="tcp", target=target))

    assert (result.ok, result.error) == (False, f"{target!r} is not host:port.")


# ---- DNS ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record_type", "expected"),
    [
        ("A", "192.0.2.11"),
        ("A", ""),
        ("AAAA", "2001:db8::10"),
        ("MX", "mail.example.test"),
        ("MX", "10 mail.example.test."),
        ("TXT", "v=spf1 -all"),
        ("NS", "ns1.example.test"),
    ],
)
def test_a_dns_answer_holding_the_expected_value_is_up(dns_server, record_type, expected):
    spec = ProbeSpec(
        kind="dns",
        target="app.example.test",
        record_type=record_type,
        expected=expected,
        nameservers=(dns_server.address,),
    )

    result = check(spec)

    assert (result.ok, result.error) == (True, "")


def test_dns_nameservers_come_from_the_setting(dns_server, settings):
    settings.MONITOR_DNS_NAMESERVERS = [dns_server.address]

    result = check(ProbeSpec(kind="dns", target="www.example.test", record_type="CNAME"))

    assert (result.ok, result.error) == (True, "")
    assert dns_server.queries == 1


@pytest.mark.parametrize(
    ("target", "record_type", "expected", "error"),
    [
        (
            "app.example.test",
            "A",
            "192.0.2.99",
            "A app.example.test is 192.0.2.10, 192.0.2.11, not 192.0.2.99.",
        ),
        ("gone.example.test", "A", "", "gone.example.test does not exist (NXDOMAIN)."),
        ("www.example.test", "MX", "", "www.example.test has no MX record."),
        (
            "app.example.test",
            "SRV",
            "",
            "The record type 'SRV' is not one of A, AAAA, CNAME, MX, TXT, NS.",
        ),
    ],
)
def test_a_dns_answer_without_the_expected_value_is_down(
    dns_server, target, record_type, expected, error
):
    spec = ProbeSpec(
        kind="dns",
        target=target,
        record_type=record_type,
        expected=expected,
        nameservers=(dns_server.address,),
    )

    result = check(spec)

    assert (result.ok, result.error) == (False, error)


def test_a_dns_server_that_never_answers_is_a_timeout(silent_dns):
    spec = ProbeSpec(
        kind="dns", target="app.example.test", timeout_seconds=1, nameservers=(silent_dns.address,)
    )

    result = check(spec)

    assert (result.ok, result.error) == (False, "timeout")
    assert silent_dns.queries >= 1
