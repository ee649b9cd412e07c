"""Real loopback servers for the probe tests: a TCP listener, a DNS responder, a TLS server with
a certificate of a chosen lifetime, and an HTTP server answering on many loopback addresses."""

import asyncio
import collections
import datetime
import socket
import ssl
import threading

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
import trustme
from aiohttp import web
from pytest_httpserver import HTTPServer

from channels import outbound


class TcpListener:
    """Accepts connections on 127.0.0.1 and counts them; ``port`` listens again where a closed
    listener was."""

    def __init__(self, port: int = 0):
        self.sock = socket.create_server(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.stopped.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def tcp_listener():
    listener = TcpListener()
    yield listener
    listener.close()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_http():
    """A listener that takes connections (the kernel's backlog) and never answers."""
    sock = socket.create_server(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()


ZONE = {
    "app.example.test.": {
        "A": ["192.0.2.10", "192.0.2.11"],
        "AAAA": ["2001:db8::10"],
        "MX": ["10 mail.example.test."],
        "TXT": ['"v=spf1 -all"'],
        "NS": ["ns1.example.test."],
    },
    "www.example.test.": {"CNAME": ["app.example.test."]},
}


class DnsResponder:
    """Answers UDP queries on 127.0.0.1 from ``zone`` (ZONE unless given; unknown names:
    NXDOMAIN); with ``silent`` it answers nothing."""

    def __init__(self, silent=False, zone=None):
        self.silent = silent
        self.zone = ZONE if zone is None else zone
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.queries = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            self.queries += 1
            if self.silent:
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            name, kind = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
            zone = self.zone
            if name not in zone:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif kind in zone[name]:
                response.answer.append(dns.rrset.from_text(name, 60, "IN", kind, *zone[name][kind]))
            self.sock.sendto(response.to_wire(), peer)

    def close(self):
        self.stopped.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def dns_server():
    server = DnsResponder()
    yield server
    server.close()


@pytest.fixture
def silent_dns():
    server = DnsResponder(silent=True)
    yield server
    server.close()


@pytest.fixture
def tls_server(monkeypatch):
    """``serve(days)``: an https server on 127.0.0.1 whose certificate (from a test CA the
    probes trust) ends ``days`` from now (negative: already expired)."""
    ca = trustme.CA()
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    monkeypatch.setattr(outbound, "_tls_context", lambda: client_context)
    servers = []

    def serve(days: float) -> HTTPServer:
        now = datetime.datetime.now(datetime.UTC)
        cert = ca.issue_cert(
            "127.0.0.1",
            not_before=now - datetime.timedelta(days=30),
            not_after=now + datetime.timedelta(days=days),
        )
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(server_context)
        server = HTTPServer(host="127.0.0.1", ssl_context=server_context)
        server.start()
        server.expect_request("/").respond_with_data("secure")
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.clear()
        server.stop()


class LoopbackFarm:
    """One HTTP server listening on 127.0.1.1 .. 127.0.1.N (one port), on a loop of its own,
    counting the connections each address accepted."""

    def __init__(self, count: int):
        self.hosts = [f"127.0.1.{i}" for i in range(1, count + 1)]
        self.connections: dict[str, set] = collections.defaultdict(set)
        self.requests: collections.Counter = collections.Counter()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.runner, self.port = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result()

    async def _handle(self, request: web.Request) -> web.Response:
        address = request.transport.get_extra_info("sockname")[0]
        self.connections[address].add(request.transport.get_extra_info("peername"))
        self.requests[address] += 1
        return web.json_response({"status": "up", "address": address})

    async def _start(self):
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        first = web.TCPSite(runner, self.hosts[0], 0)
        await first.start()
        port = first._server.sockets[0].getsockname()[1]
        for host in self.hosts[1:]:
            await web.TCPSite(runner, host, port).start()
        return runner, port

    def close(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def loopback_farm():
    farm = LoopbackFarm(50)
    yield farm
    farm.close()
