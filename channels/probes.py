"""Monitor probes: one HTTP, TCP or DNS check of a target, with no model behind it.

A probe runs on the process's sending loop (``channels.outbound``) and reaches out through the
same rules as every send, under the monitors' policy (``outbound.MONITORS``: http or https,
private networks only with ``MONITOR_ALLOW_PRIVATE_NETWORKS``): HTTP shares the process's
keep-alive session (per-host limits, addresses checked where the connection is made,
redirects followed hop by hop, each hop checked); TCP connects only to addresses that passed
the same checks; DNS asks the configured resolvers. A probe never raises for its target's
sake: a refused, unreachable or wrong target is a failed ``ProbeResult`` with ``error``.

From synchronous code (a Celery task): ``outbound.run(probe_many(specs))`` or ``run_many``.
"""

import asyncio
import dataclasses
import datetime
import functools
import json
import logging
import time
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver
import jsonpath_rfc9535
from django.conf import settings

from channels import outbound

logger = logging.getLogger(__name__)

KINDS = ("http", "tcp", "dns")
DNS_RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS")
MAX_REDIRECTS = 5
BODY_BYTES = 1024 * 1024  # keyword and JSON checks read at most this much of a body
USER_AGENT = "StatusPageMonitor/1.0 (+https://github.com/statuspage-service)"


@dataclasses.dataclass(frozen=True)
class ProbeSpec:
    """What to check. ``target``: a URL (http), ``host:port`` (tcp, ``[v6]:port``) or a host
    name (dns). ``expected_statuses``: codes and ranges, ``"200,204,300-399"``.
    ``keyword``: the body must hold it; ``keyword_absent``: the body must not. ``json_expected``
    is compared as a string with the value ``json_path`` (RFC 9535) selects; empty: any value.
    ``latency_degraded_ms`` / ``tls_expiry_days``: 0 turns the check off. ``nameservers``:
    ``"host"`` or ``"host:port"`` (empty: ``MONITOR_DNS_NAMESERVERS``, then the system's)."""

    kind: str
    target: str
    timeout_seconds: float = 10.0
    method: str = "GET"
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    body: str = ""
    expected_statuses: str = "200-399"
    keyword: str = ""
    keyword_absent: str = ""
    json_path: str = ""
    json_expected: str = ""
    latency_degraded_ms: int = 0
    tls_expiry_days: int = 0
    record_type: str = "A"
    expected: str = ""
    nameservers: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ProbeResult:
    """One check's outcome. ``degraded`` only with ``ok`` (slow, or a certificate near its
    end; ``detail`` says which); ``error`` only without it. ``latency_ms``: the request's own
    time (waiting for a host slot excluded), None when nothing answered."""

    ok: bool
    degraded: bool = False
    status_code: int | None = None
    latency_ms: int | None = None
    error: str = ""
    detail: str = ""
    checked_at: datetime.datetime = dataclasses.field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC)
    )


def statuses_parse(text: str) -> tuple[tuple[int, int], ...]:
    """``"200,204,300-399"`` as inclusive ranges; ValueError if it is not that."""
    ranges = []
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not (low.isdigit() and (high.isdigit() or not dash)):
            raise ValueError(f"{text!r} is not a list of status codes and ranges (200-399).")
        low_code, high_code = int(low), int(high or low)
        if not 100 <= low_code <= high_code <= 599:
            raise ValueError(f"{part!r} is not a range of HTTP status codes (100..599).")
        ranges.append((low_code, high_code))
    return tuple(ranges)


@functools.lru_cache(maxsize=4096)
def json_path_compile(path: str) -> jsonpath_rfc9535.JSONPathQuery:
    """``path`` as an RFC 9535 query; ValueError if it is not one."""
    try:
        return jsonpath_rfc9535.compile(path)
    except jsonpath_rfc9535.JSONPathError as exc:
        raise ValueError(f"{path!r} is not a JSONPath: {exc}") from exc


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


# ---- HTTP ---------------------------------------------------------------------------------


def _body_failure(spec: ProbeSpec, body: bytes) -> str:
    """Why the body fails the spec's keyword and JSON checks ("" when it passes)."""
    if spec.keyword and spec.keyword.encode() not in body:
        return f"The keyword {spec.keyword!r} is not in the body."
    if spec.keyword_absent and spec.keyword_absent.encode() in body:
        return f"The keyword {spec.keyword_absent!r} is in the body."
    if spec.json_path:
        try:
            document = json.loads(body)
        except ValueError:
            return "The body is not JSON."
        nodes = json_path_compile(spec.json_path).find(document)
        if not nodes:
            return f"{spec.json_path} selects nothing."
        value = _as_text(nodes[0].value)
        if spec.json_expected and value != spec.json_expected:
            return f"{spec.json_path} is {value!r}, not {spec.json_expected!r}."
    return ""


async def _http(spec: ProbeSpec, session: outbound.HttpSession) -> ProbeResult:
    checked_at = datetime.datetime.now(datetime.UTC)
    statuses = statuses_parse(spec.expected_statuses)  # a bad spec goes nowhere (ValueError)
    if spec.json_path:
        json_path_compile(spec.json_path)
    try:
        response = await session.request(
            spec.method.upper(),
            spec.target,
            headers={"User-Agent": USER_AGENT, **spec.headers},
            content=spec.body.encode() if spec.body else None,
            deadline=spec.timeout_seconds,
            limit=BODY_BYTES,
            redirects=MAX_REDIRECTS,
        )
    except outbound.OutboundTimeout:
        return ProbeResult(ok=False, error="timeout", checked_at=checked_at)
    except (outbound.UnsafeURL, outbound.OutboundError) as exc:
        return ProbeResult(ok=False, error=str(exc), checked_at=checked_at)
    code, latency = response.status_code, _ms(response.elapsed)
    failure = ""
    if not any(low <= code <= high for low, high in statuses):
        failure = f"The status {code} is not one of {spec.expected_statuses}."
    failure = failure or _body_failure(spec, response.body)
    if failure:
        return ProbeResult(
            ok=False, status_code=code, latency_ms=latency, error=failure, checked_at=checked_at
        )
    details = []
    if spec.latency_degraded_ms and latency > spec.latency_degraded_ms:
        details.append(f"Answered in {latency} ms (over {spec.latency_degraded_ms} ms).")
    if spec.tls_expiry_days and response.cert_not_after is not None:
        left = response.cert_not_after - checked_at
        if left < datetime.timedelta(days=spec.tls_expiry_days):
            details.append(f"The certificate expires {response.cert_not_after:%Y-%m-%d %H:%M}Z.")
    return ProbeResult(
        ok=True,
        degraded=bool(details),
        status_code=code,
        latency_ms=latency,
        detail=" ".join(details),
        checked_at=checked_at,
    )


# ---- TCP ----------------------------------------------------------------------------------


def _host_port(target: str) -> tuple[str, int]:
    try:
        parts = urlsplit(f"//{target}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise outbound.UnsafeURL(f"{target!r} is not host:port.")
    return host, port


async def _tcp(spec: ProbeSpec) -> ProbeResult:
    checked_at = datetime.datetime.now(datetime.UTC)
    try:
        async with asyncio.timeout(spec.timeout_seconds):
            host, port = _host_port(spec.target)
            addresses = await outbound.addresses(host, port, outbound.MONITORS)
            started, errors = time.perf_counter(), []
            for address in addresses:
                try:
                    _reader, writer = await asyncio.open_connection(address, port)
                except OSError as exc:
                    errors.append(f"{address}: {exc.strerror or exc}")
                    continue
                latency = _ms(time.perf_counter() - started)
                writer.close()
                await writer.wait_closed()
                return ProbeResult(ok=True, latency_ms=latency, checked_at=checked_at)
    except TimeoutError:
        return ProbeResult(ok=False, error="timeout", checked_at=checked_at)
    except outbound.UnsafeURL as exc:
        return ProbeResult(ok=False, error=str(exc), checked_at=checked_at)
    return ProbeResult(
        ok=False, error=f"Could not connect: {'; '.join(errors)}", checked_at=checked_at
    )


# ---- DNS ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _resolver(nameservers: tuple[str, ...]) -> dns.asyncresolver.Resolver:
    if not nameservers:
        return dns.asyncresolver.Resolver()
    resolver = dns.asyncresolver.Resolver(configure=False)
    servers = []
    for server in nameservers:
        has_port = server.startswith("[") or server.count(":") == 1
        host, port = _host_port(server) if has_port else (server, 53)
        servers.append(dns.nameserver.Do53Nameserver(host, port))
    resolver.nameservers = servers
    return resolver


def _rdata_texts(rdata) -> list[str]:
    """The ways an answer may be written in ``expected``."""
    if hasattr(rdata, "address"):  # A, AAAA
        return [rdata.address]
    if hasattr(rdata, "exchange"):  # MX: the host, or "preference host"
        host = rdata.exchange.to_text(omit_final_dot=True)
        return [host, f"{rdata.preference} {host}"]
    if hasattr(rdata, "strings"):  # TXT
        return [b"".join(rdata.strings).decode(errors="replace")]
    if hasattr(rdata, "target"):  # CNAME, NS
        return [rdata.target.to_text(omit_final_dot=True)]
    return [rdata.to_text()]


async def _dns(spec: ProbeSpec) -> ProbeResult:
    checked_at = datetime.datetime.now(datetime.UTC)
    record_type = spec.record_type.upper()
    if record_type not in DNS_RECORD_TYPES:
        error = f"The record type {spec.record_type!r} is not one of {', '.join(DNS_RECORD_TYPES)}."
        return ProbeResult(ok=False, error=error, checked_at=checked_at)
    nameservers = spec.nameservers or tuple(settings.MONITOR_DNS_NAMESERVERS)
    started = time.perf_counter()
    try:
        answer = await _resolver(nameservers).resolve(
            spec.target, record_type, lifetime=spec.timeout_seconds, search=False
        )
    except dns.exception.Timeout:
        return ProbeResult(ok=False, error="timeout", checked_at=checked_at)
    except dns.resolver.NXDOMAIN:
        error = f"{spec.target} does not exist (NXDOMAIN)."
        return ProbeResult(ok=False, error=error, checked_at=checked_at)
    except dns.resolver.NoAnswer:
        error = f"{spec.target} has no {record_type} record."
        return ProbeResult(ok=False, error=error, checked_at=checked_at)
    except (dns.exception.DNSException, ValueError) as exc:
        return ProbeResult(ok=False, error=f"DNS: {exc}", checked_at=checked_at)
    latency = _ms(time.perf_counter() - started)
    texts = [text for rdata in answer for text in _rdata_texts(rdata)]
    expected = spec.expected.strip().rstrip(".")
    if expected and not any(text.lower() == expected.lower() for text in texts):
        shown = ", ".join(sorted(str(rdata) for rdata in answer))
        error = f"{record_type} {spec.target} is {shown}, not {spec.expected}."
        return ProbeResult(ok=False, latency_ms=latency, error=error, checked_at=checked_at)
    return ProbeResult(ok=True, latency_ms=latency, checked_at=checked_at)


# ---- entry points -------------------------------------------------------------------------


async def _probe(spec: ProbeSpec, session: outbound.HttpSession | None) -> ProbeResult:
    try:
        if spec.kind == "http":
            return await _http(spec, session)
        if spec.kind == "tcp":
            return await _tcp(spec)
        if spec.kind == "dns":
            return await _dns(spec)
        error = f"The kind {spec.kind!r} is not one of {', '.join(KINDS)}."
    except ValueError as exc:  # a spec the monitor's service should have refused
        error = str(exc)
    except Exception as exc:  # one bad probe never stops the others
        logger.exception("probe of %s failed", spec.target)
        error = f"{type(exc).__name__}: {exc}"
    return ProbeResult(ok=False, error=error)


async def probe(spec: ProbeSpec) -> ProbeResult:
    """Check one target (on the sending loop, with the process's shared monitor session)."""
    http = spec.kind == "http"
    return await _probe(
        spec, await outbound.shared_session(policy=outbound.MONITORS) if http else None
    )


async def probe_many(
    specs: Iterable[ProbeSpec], *, concurrency: int = 200, per_host: int | None = None
) -> list[ProbeResult]:
    """Check every spec, at most ``concurrency`` at once and ``per_host`` requests in flight
    to one HTTP host (default ``OUTBOUND_CONNECTIONS_PER_HOST``), over the process's shared
    keep-alive session for that limit; results in the specs' order."""
    specs = list(specs)
    http = any(spec.kind == "http" for spec in specs)
    session = await outbound.shared_session(per_host, outbound.MONITORS) if http else None
    gate = asyncio.Semaphore(concurrency)

    async def one(spec: ProbeSpec) -> ProbeResult:
        async with gate:
            return await _probe(spec, session)

    return list(await asyncio.gather(*(one(spec) for spec in specs)))


def run_many(
    specs: Iterable[ProbeSpec], *, concurrency: int = 200, per_host: int | None = None
) -> list[ProbeResult]:
    """``probe_many`` from synchronous code: runs on the sending loop and waits."""
    return outbound.run(probe_many(specs, concurrency=concurrency, per_host=per_host))
