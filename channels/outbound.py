"""Outbound HTTP to URLs that subscribers gave us: resolve, check, connect to what was checked.

Every request runs on this process's event loop (one thread, started on first use, after a
prefork worker forked) through an ``HttpSession``: aiohttp with keep-alive connections, at most
``per_host`` requests in flight to one host and a deadline per request. The SSRF decision is
made where the connection is made: the session's resolver resolves the host, refuses the
whole answer if any address is not public, and the connector connects only to the addresses
it returned (keeping the ``Host`` header and TLS SNI), so a second DNS answer cannot redirect
it. An IP literal is checked before the request, since no resolver sees it. The rules
themselves, and the ``Policy`` naming who calls (webhooks, monitors), are in
``channels.addresses``. Redirects are followed only when asked, each hop checked as the first.
"""

import asyncio
import dataclasses
import datetime
import functools
import os
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# Re-exported: callers name the rules through this module too.
from channels.addresses import (  # noqa: F401
    MONITORS,
    WEBHOOKS,
    Policy,
    Target,
    UnsafeURL,
    address_check,
    addresses,
    addresses_check,
    lookup,
    url_check,
)

USER_AGENT = "StatusPageNotifier/1.0 (+https://github.com/statuspage-service)"
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
# A request's whole life once it has its host slot: connect, send, the answer's first bytes
# and at most RESPONSE_BYTES of its body.
REQUEST_DEADLINE = 10.0
RESPONSE_BYTES = 64 * 1024

T = TypeVar("T")


class OutboundError(Exception):
    """The request did not get an answer: connection refused or reset, TLS, timeout."""


class OutboundTimeout(OutboundError):
    """No answer within the request's deadline."""


REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


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


class _CheckedResolver(AbstractResolver):
    """aiohttp's resolver for our sessions: only checked addresses reach the connector."""

    def __init__(self, policy: Policy = WEBHOOKS):
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        loop = asyncio.get_running_loop()
        answers = await loop.run_in_executor(None, lookup, host, port)
        return [
            {
                "hostname": host,
                "host": str(ip),
                "port": port,
                "family": family,
                "proto": proto,
                "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            }
            for family, proto, ip in addresses_check(host, answers, self.policy)
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
            # No cookies kept: one session serves every organization's webhooks and monitors,
            # so a cookie one target set must never ride along with another's request.
            cookie_jar=aiohttp.DummyCookieJar(),
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
        scheme, host, _port = url_check(url, self.policy)
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
                        body = await _read(response.content, limit)
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


async def _read(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The body's first ``limit`` bytes (one read returns only what has arrived)."""
    chunks, size = [], 0
    while size < limit:
        chunk = await stream.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


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


async def _fetch_shared(url: str, headers: Mapping[str, str], **options) -> Response:
    session = await shared_session()
    return await session.request("GET", url, headers=headers, **options)


def fetch(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    limit: int = RESPONSE_BYTES,
    deadline: float = REQUEST_DEADLINE,
    redirects: int = 0,
) -> Response:
    """One GET whose whole answer the caller reads (code, headers, at most ``limit`` bytes of
    body): an importer reading another service's API, its pages and rate limits. The same
    address checks as every send, on the shared session's keep-alive connections."""
    return run(
        _fetch_shared(url, headers or {}, limit=limit, deadline=deadline, redirects=redirects)
    )
