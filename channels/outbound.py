"""Outbound HTTP to URLs that subscribers gave us: resolve, check, connect to what was checked.

``address_check`` is the one SSRF decision; ``post`` pins the connection to the checked address
(keeping the ``Host`` header and TLS SNI), so a second DNS answer cannot redirect it.
"""

import contextlib
import contextvars
import functools
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings

USER_AGENT = "StatusPageNotifier/1.0 (+https://github.com/statuspage-service)"
TIMEOUT = httpx.Timeout(5.0, connect=3.0)

# Indirection so tests can answer DNS without the network.
resolve = socket.getaddrinfo


class UnsafeURL(Exception):
    """The URL is malformed or points at an address we refuse to call."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP to connect to


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return _refused(mapped)
        if ip.teredo is not None:
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def address_check(url: str) -> Target:
    """Resolve ``url``'s host and refuse loopback, private, link-local, multicast, reserved and
    unspecified addresses (IPv4, IPv6 and IPv4-mapped IPv6): every answer must be public.

    With ``WEBHOOK_ALLOW_PRIVATE_NETWORKS`` on, any address is accepted (development, tests).
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL("The URL is not valid.") from exc
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise UnsafeURL(f"Only {' or '.join(schemes)} URLs with a host are accepted.")
    host = parts.hostname
    try:
        answers = resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeURL(f"The host {host!r} could not be resolved.") from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not allow_private and _refused(ip):
            raise UnsafeURL(f"The host {host!r} resolves to a non-public address.")
        addresses.append(ip)
    if not addresses:
        raise UnsafeURL(f"The host {host!r} could not be resolved.")
    return Target(scheme=parts.scheme, host=host, port=port, address=str(addresses[0]))


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: once per process, not per request.
    return httpx.create_ssl_context()


class _PinnedTransport(httpx.HTTPTransport):
    """Connects to ``target.address`` whatever the URL's host; Host and SNI stay the name."""

    def __init__(self, target: Target, connections: int = 1):
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        super().__init__(retries=0, verify=_tls_context(), limits=limits)
        self.target = target

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        ip = self.target.address
        request.url = request.url.copy_with(host=ip if ":" not in ip else f"[{ip}]")
        if self.target.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": self.target.host}
        return super().handle_request(request)


class _Reuse:
    """Clients shared by the threads of one batch: one per checked target, with keep-alive
    connections, and at most ``per_host`` requests in flight to one host (the rest wait for a
    slot, not for the pool, so waiting never counts against a request's own timeout)."""

    def __init__(self, per_host: int):
        self.per_host = per_host
        self.lock = threading.Lock()
        self.clients: dict[Target, httpx.Client] = {}
        self.slots: dict[str, threading.BoundedSemaphore] = {}

    def client_and_slots(self, target: Target) -> tuple[httpx.Client, threading.BoundedSemaphore]:
        with self.lock:
            if target not in self.clients:
                self.clients[target] = _client(target, self.per_host)
            if target.host not in self.slots:
                self.slots[target.host] = threading.BoundedSemaphore(self.per_host)
            return self.clients[target], self.slots[target.host]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


# Within a batch, clients are shared so connections stay alive between sends; the context
# variable is copied into each sending thread.
_reuse: contextvars.ContextVar[_Reuse | None] = contextvars.ContextVar("reuse", default=None)


@contextlib.contextmanager
def connection_reuse(per_host: int | None = None):
    """Share keep-alive connections between the sends inside (from any thread that runs in a
    copy of this context), with at most ``per_host`` requests in flight per host (default:
    the OUTBOUND_CONNECTIONS_PER_HOST setting)."""
    reuse = _Reuse(per_host or settings.OUTBOUND_CONNECTIONS_PER_HOST)
    token = _reuse.set(reuse)
    try:
        yield
    finally:
        _reuse.reset(token)
        reuse.close()


def _client(target: Target, connections: int = 1) -> httpx.Client:
    return httpx.Client(
        transport=_PinnedTransport(target, connections),
        timeout=TIMEOUT,
        follow_redirects=False,
    )


def post(url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to a subscriber URL after the address check; no redirects, short timeouts."""
    target = address_check(url)
    all_headers = {"User-Agent": USER_AGENT, "Host": _host_header(target), **headers}
    reuse = _reuse.get()
    if reuse is None:
        with _client(target) as client:
            return client.post(url, content=content, headers=all_headers)
    client, slots = reuse.client_and_slots(target)
    with slots:
        return client.post(url, content=content, headers=all_headers)


def get(url: str, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET a URL an operator gave us (a metric's Prometheus query) after the same address
    check; no redirects, short timeouts."""
    target = address_check(url)
    all_headers = {"User-Agent": USER_AGENT, "Host": _host_header(target), **(headers or {})}
    with _client(target) as client:
        return client.get(url, headers=all_headers)


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"
