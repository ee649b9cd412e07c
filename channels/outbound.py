"""Outbound HTTP to URLs that subscribers gave us: resolve, check, connect to what was checked.

Every request runs on this process's event loop (one thread, started on first use, after a
prefork worker forked) through an ``HttpSession``: aiohttp with keep-alive connections, at most
``per_host`` requests in flight to one host and a deadline per request. The SSRF decision is
made where the connection is made: the session's resolver resolves the host, refuses the
whole answer if any address is not public, and the connector connects only to the addresses
it returned (keeping the ``Host`` header and TLS SNI), so a second DNS answer cannot redirect
it. An IP literal is checked before the request, since no resolver sees it.

A ``Policy`` names who is calling: webhooks (https only; private networks with
``WEBHOOK_ALLOW_PRIVATE_NETWORKS``) or monitors (http too; ``MONITOR_ALLOW_PRIVATE_NETWORKS``).
Redirects are followed only when asked, each hop checked as the first was.
"""

import asyncio
import dataclasses
import datetime
import functools
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.helpers import is_ip_address
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

USER_AGENT = "StatusPageNotifier/1.0 (+https://github.com/statuspage-service)"
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
# A request's whole life once it has its host slot: connect, send, the answer's first bytes
# and at most RESPONSE_BYTES of its body.
REQUEST_DEADLINE = 10.0
RESPONSE_BYTES = 64 * 1024

# Indirection so tests can answer DNS without the network.
resolve = socket.getaddrinfo

T = TypeVar("T")


class UnsafeURL(Exception):
    """The URL is malformed or points at an address we refuse to call."""


class OutboundError(Exception):
    """The request did not get an answer: connection refused or reset, TLS, timeout."""


class OutboundTimeout(OutboundError):
    """No answer within the request's deadline."""


@dataclass(frozen=True)
class Policy:
    """Where one kind of outbound request may go: ``private_setting`` names the setting that
    lets it reach private networks (unset or None: ``WEBHOOK_ALLOW_PRIVATE_NETWORKS``'s value);
    ``http_public``: plain http to public hosts too (webhooks carry secrets: https only)."""

    private_setting: str
    http_public: bool

    def allow_private(self) -> bool:
        value = getattr(settings, self.private_setting, None)
        return settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS if value is None else bool(value)


WEBHOOKS = Policy("WEBHOOK_ALLOW_PRIVATE_NETWORKS", http_public=False)
MONITORS = Policy("MONITOR_ALLOW_PRIVATE_NETWORKS", http_public=True)
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the first checked IP


@dataclass(frozen=True)
class Fetched:
    """What a GET brought back: its code and (the first RESPONSE_BYTES of) its body."""

    status_code: int
    body: bytes


@dataclass(frozen=True)
class Response:
    """A whole answer: code, headers, the first ``limit`` bytes of the body, the URL that gave
    it (after redirects), over https when the peer's certificate expires, and the seconds the
    request took from its host slot to its last byte (every hop's, summed)."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    cert_not_after: datetime.datetime | None = None
    elapsed: float = 0.0


@dataclass(frozen=True)
class Reply:
    """What a receiver answered: its code and headers (the body is read and dropped)."""

    status_code: int
    headers: Mapping[str, str]


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


def _url_check(url: str, policy: Policy = WEBHOOKS) -> tuple[str, str, int]:
    """Scheme, host and port of ``url``, or UnsafeURL: https only (http too when private
    networks are allowed, or the policy allows it), a host, and an IP literal only if it is
    public."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL("The URL is not valid.") from exc
    allow_private = policy.allow_private()
    schemes = ("https", "http") if allow_private or policy.http_public else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise UnsafeURL(f"Only {' or '.join(schemes)} URLs with a host are accepted.")
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None and not allow_private and _refused(literal):
        raise UnsafeURL(f"The address {host!r} is not public.")
    if literal is None and is_ip_address(host):  # 2130706433, 127.1: legacy forms of 127.0.0.1
        raise UnsafeURL(f"The address {host!r} is not written as an IP address.")
    return parts.scheme, host, port


def _addresses_check(host: str, answers, policy: Policy = WEBHOOKS) -> list[tuple]:
    """The answers for ``host`` if every one is public (or private networks are allowed)."""
    allow_private = policy.allow_private()
    checked = []
    for family, _type, proto, _name, sockaddr in answers:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not allow_private and _refused(ip):
            raise UnsafeURL(f"The host {host!r} resolves to a non-public address.")
        checked.append((family, proto, ip))
    if not checked:
        raise UnsafeURL(f"The host {host!r} could not be resolved.")
    return checked


def _lookup(host: str, port: int):
    try:
        return resolve(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise UnsafeURL(f"The host {host!r} could not be resolved.") from exc


def address_check(url: str, policy: Policy = WEBHOOKS) -> Target:
    """Resolve ``url``'s host and refuse loopback, private, link-local, multicast, reserved and
    unspecified addresses (IPv4, IPv6 and IPv4-mapped IPv6): every answer must be public.
    Used where a URL is accepted (subscribing); sending checks again as it connects.

    With ``WEBHOOK_ALLOW_PRIVATE_NETWORKS`` on, any address is accepted (development, tests).
    """
    scheme, host, port = _url_check(url, policy)
    checked = _addresses_check(host, _lookup(host, port), policy)
    return Target(scheme=scheme, host=host, port=port, address=str(checked[0][2]))


async def addresses(host: str, port: int, policy: Policy) -> list[str]:
    """``host``'s addresses (an IP literal: itself), resolved off the loop, if every one
    passes ``policy``; else UnsafeURL. For connections made without a session (TCP checks)."""
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not policy.allow_private() and _refused(literal):
            raise UnsafeURL(f"The address {host!r} is not public.")
        return [host]
    if is_ip_address(host):
        raise UnsafeURL(f"The address {host!r} is not written as an IP address.")
    loop = asyncio.get_running_loop()
    answers = await loop.run_in_executor(None, _lookup, host, port)
    return [str(ip) for _family, _proto, ip in _addresses_check(host, answers, policy)]


class _CheckedResolver(AbstractResolver):
    """aiohttp's resolver for our sessions: only checked addresses reach the connector."""

    def __init__(self, policy: Policy = WEBHOOKS):
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        loop = asyncio.get_running_loop()
        answers = await loop.run_in_executor(None, _lookup, host, port)
        return [
            {
                "hostname": host,
                "host": str(ip),
                "port": port,
                "family": family,
                "proto": proto,
                "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            }
            for family, proto, ip in _addresses_check(host, answers, self.policy)
        ]

    async def close(self) -> None:
        return None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: once per process, not per request.
    return ssl.create_default_context()


# ---- the process's event loop -------------------------------------------------------------

_loop_lock = threading.Lock()
_loop: tuple[int, asyncio.AbstractEventLoop] | None = None
# The process's shared sessions by per-host limit; used only on the sending loop's thread.
_sessions: dict[tuple[int, Policy], "HttpSession"] = {}


def event_loop() -> asyncio.AbstractEventLoop:
    """This process's sending loop, running on its own daemon thread (a forked child starts
    its own: a loop's thread does not survive fork, nor do the parent's sessions)."""
    global _loop
    with _loop_lock:
        if _loop is None or _loop[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="outbound", daemon=True).start()
            _loop = (os.getpid(), loop)
            _sessions.clear()
        return _loop[1]


def submit(coroutine: Awaitable[T]):
    """Run ``coroutine`` on the sending loop; returns a concurrent.futures.Future."""
    return asyncio.run_coroutine_threadsafe(coroutine, event_loop())


def run(coroutine: Awaitable[T]) -> T:
    """Run ``coroutine`` on the sending loop and wait for its result (from any other thread)."""
    return submit(coroutine).result()


# ---- sessions -----------------------------------------------------------------------------


class _Response(aiohttp.ClientResponse):
    """Notes when the peer's (verified) certificate expires as the answer starts: a short
    answer has handed its connection back, or closed it, before the caller sees it."""

    cert_not_after: datetime.datetime | None = None

    async def start(self, connection):
        transport = connection.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
        cert = ssl_object.getpeercert() if ssl_object is not None else None
        if cert and "notAfter" in cert:
            seconds = ssl.cert_time_to_seconds(cert["notAfter"])
            self.cert_not_after = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
        return await super().start(connection)


class HttpSession:
    """Keep-alive connections, at most ``per_host`` requests in flight to one host (the others
    wait for a slot; waiting never counts against a request's own deadline). Open it with
    ``async with HttpSession(...)`` on the sending loop, or use the process's
    ``shared_session``."""

    def __init__(self, per_host: int | None = None, policy: Policy = WEBHOOKS):
        self.per_host = per_host or settings.OUTBOUND_CONNECTIONS_PER_HOST
        self.policy = policy
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.client: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "HttpSession":
        connector = aiohttp.TCPConnector(
            limit=0,  # bounded by the per-host slots and the caller's own limit
            limit_per_host=0,
            resolver=_CheckedResolver(self.policy),
            use_dns_cache=False,  # every new connection resolves and checks again
            force_close=False,
        )
        self.client = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=CONNECT_TIMEOUT, sock_read=READ_TIMEOUT
            ),
            headers={"User-Agent": USER_AGENT},
            auto_decompress=False,
            response_class=_Response,
            skip_auto_headers=("Accept-Encoding",),
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.client.close()

    async def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Reply:
        """POST ``content`` to ``url`` after the checks; no redirects. Raises UnsafeURL for a
        URL we refuse to call, OutboundError when no answer came."""
        response = await self._send("POST", url, content, headers)
        return Reply(response.status_code, response.headers)

    async def get(self, url: str, *, headers: dict[str, str]) -> Fetched:
        """GET ``url`` after the same checks; no redirects; at most RESPONSE_BYTES of body."""
        response = await self._send("GET", url, None, headers)
        return Fetched(response.status_code, response.body)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None = None,
        deadline: float = REQUEST_DEADLINE,
        limit: int = RESPONSE_BYTES,
        redirects: int = 0,
    ) -> Response:
        """Any method, after the checks, each hop within ``deadline``, at most ``limit`` bytes
        of body. Follows up to ``redirects`` redirects, checking each hop as the first (a 303,
        or a 301/302 answering a POST, goes on as a GET without body); one more is an
        OutboundError. With ``redirects=0`` a redirect is returned as the answer."""
        elapsed = 0.0
        for _hop in range(redirects + 1):
            response = await self._send(method, url, content, headers, deadline, limit)
            elapsed += response.elapsed
            location = response.headers.get("Location")
            if not redirects or response.status_code not in REDIRECT_CODES or not location:
                return dataclasses.replace(response, elapsed=elapsed)
            url = urljoin(response.url, location)
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, content = "GET", None
        raise OutboundError(f"More than {redirects} redirects.")

    async def _send(
        self,
        method: str,
        url: str,
        content: bytes | None,
        headers: Mapping[str, str],
        deadline: float = REQUEST_DEADLINE,
        limit: int = RESPONSE_BYTES,
    ) -> Response:
        scheme, host, _port = _url_check(url, self.policy)
        # A deadline of its own (a monitor's timeout) bounds the connect and each read too.
        timeouts = {}
        if deadline != REQUEST_DEADLINE:
            timeouts["timeout"] = aiohttp.ClientTimeout(
                total=None, sock_connect=deadline, sock_read=deadline
            )
        slot = self.slots.get(host)
        if slot is None:
            slot = self.slots[host] = asyncio.Semaphore(self.per_host)
        async with slot:
            started = time.perf_counter()
            try:
                async with asyncio.timeout(deadline):
                    async with self.client.request(
                        method,
                        url,
                        data=content,
                        headers=headers,
                        allow_redirects=False,
                        ssl=_tls_context() if scheme == "https" else False,
                        **timeouts,
                    ) as response:
                        body = await response.content.read(limit)
                        return Response(
                            response.status,
                            response.headers,
                            body,
                            url,
                            response.cert_not_after,
                            time.perf_counter() - started,
                        )
            except UnsafeURL:
                raise
            except TimeoutError as exc:
                raise OutboundTimeout(f"No answer within {deadline:g} s.") from exc
            except aiohttp.ClientConnectorError as exc:
                raise OutboundError(f"Could not connect: {exc.os_error}") from exc
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                raise OutboundError(f"{type(exc).__name__}: {exc}") from exc


async def shared_session(per_host: int | None = None, policy: Policy = WEBHOOKS) -> HttpSession:
    """The process's session with this per-host limit and policy (call on the sending loop):
    its keep-alive connections serve every batch the process sends, so a receiver's
    connection is opened, and its address checked, once, not once per batch."""
    per_host = per_host or settings.OUTBOUND_CONNECTIONS_PER_HOST
    session = _sessions.get((per_host, policy))
    if session is None or session.client.closed:
        session = _sessions[per_host, policy] = await HttpSession(per_host, policy).__aenter__()
    return session


async def _sessions_close() -> None:
    sessions = list(_sessions.values())
    _sessions.clear()
    for session in sessions:
        await session.__aexit__(None, None, None)


def sessions_close() -> None:
    """Close the shared sessions' connections (when the address policy changes, in tests)."""
    if _loop is not None and _loop[0] == os.getpid():
        run(_sessions_close())


@receiver(setting_changed)
def _policy_changed(*, setting: str, **kwargs) -> None:
    # A connection opened under the old policy must not serve a request under the new one.
    if setting in (
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS",
        "MONITOR_ALLOW_PRIVATE_NETWORKS",
        "OUTBOUND_CONNECTIONS_PER_HOST",
    ):
        sessions_close()


async def _post_shared(url: str, content: bytes, headers: dict[str, str]) -> Reply:
    session = await shared_session()
    return await session.post(url, content=content, headers=headers)


def post(url: str, *, content: bytes, headers: dict[str, str]) -> Reply:
    """One POST outside a batch (a confirmation link, a test), on the shared session."""
    return run(_post_shared(url, content, headers))


async def _get_once(url: str, headers: dict[str, str]) -> Fetched:
    async with HttpSession() as session:
        return await session.get(url, headers=headers)


def get(url: str, *, headers: dict[str, str] | None = None) -> Fetched:
    """One GET to a URL an operator gave us (a metric's Prometheus query), on its own session,
    through the same address checks as every send."""
    return run(_get_once(url, headers or {}))
