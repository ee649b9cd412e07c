"""SSRF: subscriber URLs resolving to internal addresses are refused before any connection."""

import socket

import pytest
from django.core.exceptions import ValidationError

from channels import addresses, outbound
from channels.outbound import UnsafeURL, address_check
from channels.transports.base import TransportError, post_json
from subscribers.validators import endpoint_validate

REFUSED = [
    "http://127.0.0.1/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "https://127.0.0.1/hook",
    "https://[::ffff:169.254.169.254]/",
    "https://[::ffff:10.0.0.1]/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",  # carrier-grade NAT
    "https://0.0.0.0/",
    "https://[::]/",
    "https://224.0.0.1/",  # multicast
    "https://[ff02::1]/",
    "https://240.0.0.1/",  # reserved
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "https://localhost/",
    "https://2130706433/",  # 127.0.0.1 as one decimal number
]


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything tries to open a socket to somewhere other than 127.0.0.1."""
    real_connect = socket.socket.connect
    attempts = []

    def guarded(sock, address):
        attempts.append(address)
        if address[0] not in ("127.0.0.1",):
            raise AssertionError(f"attempted a connection to {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.fixture
def private_dns(monkeypatch):
    """internal.example.test → 10.1.2.3 and mixed.example.test → a public and a private one."""
    real = socket.getaddrinfo
    answers = {
        "internal.example.test": ["10.1.2.3"],
        "mixed.example.test": ["93.184.215.14", "192.168.0.10"],
        "public.example.test": ["93.184.215.14"],
        "v6internal.example.test": ["fd00::1"],
    }

    def fake(host, port, *args, **kwargs):
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(addresses, "resolve", fake)


@pytest.mark.parametrize("url", REFUSED)
@pytest.mark.usefixtures("deny_private")
def test_internal_addresses_are_refused_when_private_networks_are_off(url, no_connections):
    with pytest.raises(UnsafeURL):
        address_check(url)
    with pytest.raises(TransportError) as refused:
        post_json(url, {"x": 1})
    assert refused.value.permanent
    assert no_connections == []


@pytest.mark.parametrize(
    "host", ["internal.example.test", "mixed.example.test", "v6internal.example.test"]
)
@pytest.mark.usefixtures("deny_private")
def test_a_hostname_resolving_to_a_private_address_is_refused(host, private_dns, no_connections):
    with pytest.raises(UnsafeURL):
        address_check(f"https://{host}/hook")
    with pytest.raises(TransportError):
        post_json(f"https://{host}/hook", {"x": 1})
    assert no_connections == []


@pytest.mark.usefixtures("deny_private")
def test_a_public_address_passes_and_is_the_one_connected_to(private_dns):
    target = address_check("https://public.example.test:8443/hook")
    assert (target.host, target.port, target.address) == (
        "public.example.test",
        8443,
        "93.184.215.14",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://public.example.test/",
        "ftp://public.example.test/",
        "javascript:alert(1)",
        "https:///nohost",
        "not a url",
    ],
)
@pytest.mark.usefixtures("deny_private")
def test_only_https_urls_are_accepted_when_private_networks_are_off(url, private_dns):
    with pytest.raises(UnsafeURL):
        address_check(url)


@pytest.mark.parametrize("url", REFUSED[:5])
@pytest.mark.usefixtures("deny_private")
def test_subscribing_an_internal_url_is_refused(url, no_connections):
    with pytest.raises(ValidationError):
        endpoint_validate(url)


@pytest.mark.usefixtures("allow_private")
def test_the_setting_allows_a_local_sink(httpserver, no_connections):
    httpserver.expect_request("/hook").respond_with_data("ok")
    assert endpoint_validate(httpserver.url_for("/hook"))
    assert post_json(httpserver.url_for("/hook"), {"x": 1}) == 200
    assert no_connections and all(address[0] == "127.0.0.1" for address in no_connections)


@pytest.mark.usefixtures("allow_private")
def test_connection_goes_to_the_checked_address_with_the_original_host_header(
    httpserver, monkeypatch
):
    """DNS rebinding: the name is resolved once; the connection uses that answer."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    answers = iter(["127.0.0.1", "10.9.9.9"])  # a second lookup would get a private address

    def rebinding(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(addresses, "resolve", rebinding)
    url = f"http://rebind.example.test:{httpserver.port}/hook"
    assert post_json(url, {"x": 1}) == 200
    request, _ = httpserver.log[0]
    assert request.headers["Host"] == f"rebind.example.test:{httpserver.port}"


@pytest.fixture
def tls_sink(tmp_path, monkeypatch):
    """An HTTPS sink on 127.0.0.1 with a certificate for hooks.example.test only."""
    import ssl
    import subprocess

    from pytest_httpserver import HTTPServer

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=hooks.example.test",
            "-addext",
            "subjectAltName=DNS:hooks.example.test",
        ],
        check=True,
        capture_output=True,
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(outbound, "_tls_context", lambda: client_context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=server_context)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.usefixtures("allow_private")
def test_https_to_the_pinned_address_verifies_the_certificate_for_the_host_name(
    tls_sink, monkeypatch
):
    """SNI and certificate checks use the name, although the connection goes to the IP."""
    tls_sink.expect_request("/hook").respond_with_data("ok")
    monkeypatch.setattr(
        addresses,
        "resolve",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))
        ],
    )
    assert post_json(f"https://hooks.example.test:{tls_sink.port}/hook", {"x": 1}) == 200
    with pytest.raises(TransportError):  # a name the certificate does not cover
        post_json(f"https://other.example.test:{tls_sink.port}/hook", {"x": 1})
    assert len(tls_sink.log) == 1
