"""What an outbound request may reach: the address rules every send, fetch and probe obeys.

A ``Policy`` names who is calling: webhooks (https only; private networks with
``WEBHOOK_ALLOW_PRIVATE_NETWORKS``) or monitors (http too; ``MONITOR_ALLOW_PRIVATE_NETWORKS``,
which follows the webhook setting while unset). Loopback, private, link-local, multicast,
reserved and unspecified addresses (IPv4, IPv6, IPv4 inside IPv6) are refused unless the
policy's setting allows private networks; a host is refused if any of its answers is.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp.helpers import is_ip_address
from django.conf import settings

# Indirection so tests can answer DNS without the network.
resolve = socket.getaddrinfo


class UnsafeURL(Exception):
    """The URL is malformed or points at an address we refuse to call."""


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


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the first checked IP


def refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return refused(mapped)
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


def url_check(url: str, policy: Policy = WEBHOOKS) -> tuple[str, str, int]:
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
    if literal is not None and not allow_private and refused(literal):
        raise UnsafeURL(f"The address {host!r} is not public.")
    if literal is None and is_ip_address(host):  # 2130706433, 127.1: legacy forms of 127.0.0.1
        raise UnsafeURL(f"The address {host!r} is not written as an IP address.")
    return parts.scheme, host, port


def addresses_check(host: str, answers, policy: Policy = WEBHOOKS) -> list[tuple]:
    """The answers for ``host`` if every one is public (or private networks are allowed)."""
    allow_private = policy.allow_private()
    checked = []
    for family, _type, proto, _name, sockaddr in answers:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not allow_private and refused(ip):
            raise UnsafeURL(f"The host {host!r} resolves to a non-public address.")
        checked.append((family, proto, ip))
    if not checked:
        raise UnsafeURL(f"The host {host!r} could not be resolved.")
    return checked


def lookup(host: str, port: int):
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
    scheme, host, port = url_check(url, policy)
    checked = addresses_check(host, lookup(host, port), policy)
    return Target(scheme=scheme, host=host, port=port, address=str(checked[0][2]))


async def addresses(host: str, port: int, policy: Policy) -> list[str]:
    """``host``'s addresses (an IP literal: itself), resolved off the loop, if every one
    passes ``policy``; else UnsafeURL. For connections made without a session (TCP checks)."""
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not policy.allow_private() and refused(literal):
            raise UnsafeURL(f"The address {host!r} is not public.")
        return [host]
    if is_ip_address(host):
        raise UnsafeURL(f"The address {host!r} is not written as an IP address.")
    loop = asyncio.get_running_loop()
    answers = await loop.run_in_executor(None, lookup, host, port)
    return [str(ip) for _family, _proto, ip in addresses_check(host, answers, policy)]
