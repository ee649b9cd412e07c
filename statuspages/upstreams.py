"""Third-party components: a component may mirror a component, or the overall indicator, of
another Statuspage-v2 page, its *upstream* (README, "Show a vendor's status").

What this layer knows of it: how an upstream is named and checked (``upstream_checked``, used
by the component services whatever the entrance), how an upstream page's statuses read as ours
(``INDICATOR_STATUSES``), what a reading of a page is (``UpstreamPage``), and two registries
the polling app (``upstreams``) fills in its ``AppConfig.ready``: the reader that fetches a
page for the "pick from this page" helper, and the watchers told (after commit) that a
component starts mirroring a URL, so its first poll need not wait for the next round.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from channels.outbound import UnsafeURL, address_check
from core.validation import refused, text_checked
from core.validators import validate_url
from statuspages.models import ComponentStatus

URL_MAX_LENGTH = 1024
COMPONENT_ID_MAX_LENGTH = 255
# Where a Statuspage-v2 page publishes everything in one document.
SUMMARY_PATH = "/api/v2/summary.json"

# A page's indicator as one component status (Statuspage's four, and our "maintenance").
INDICATOR_STATUSES = {
    "none": ComponentStatus.OPERATIONAL,
    "minor": ComponentStatus.DEGRADED_PERFORMANCE,
    "major": ComponentStatus.PARTIAL_OUTAGE,
    "critical": ComponentStatus.MAJOR_OUTAGE,
    "maintenance": ComponentStatus.UNDER_MAINTENANCE,
}

_COMPONENT_ID = re.compile(r"[A-Za-z0-9_.:-]+")
# A document's address pasted for the page's: ".../api/v2/summary.json" names ".../".
_API_SUFFIX = re.compile(r"/api/v2(?:/.*)?$")


def upstream_url_checked(value, *, field: str = "upstream.url") -> str:
    """The page's base URL as stored and fetched (``{url}/api/v2/summary.json``): https (http
    too with ``WEBHOOK_ALLOW_PRIVATE_NETWORKS``), scheme and host lower-case, no default port,
    no query, fragment, trailing slash or ``/api/v2/...`` suffix; its host must resolve to
    public addresses only (the outbound rules, checked again at every poll)."""
    url = text_checked(value, field=field, max_length=URL_MAX_LENGTH, required=True)
    try:
        validate_url(url)
        parts = urlsplit(url)
        port = parts.port
    except (ValidationError, ValueError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else "Enter a valid URL."
        raise refused(field, message) from exc
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != (443 if scheme == "https" else 80):
        host = f"{host}:{port}"
    path = _API_SUFFIX.sub("", parts.path.rstrip("/")).rstrip("/")
    normalised = f"{scheme}://{host}{path}"
    if len(normalised) > URL_MAX_LENGTH - len(SUMMARY_PATH):
        raise refused(field, "The URL is too long.")
    try:
        address_check(normalised)
    except UnsafeURL as exc:
        raise refused(field, str(exc)) from exc
    return normalised


def upstream_component_id_checked(value, *, field: str = "upstream.component_id") -> str:
    """The upstream component's id ("" for the page's overall indicator: null, or empty)."""
    if value is None:
        return ""
    component_id = text_checked(value, field=field, max_length=COMPONENT_ID_MAX_LENGTH)
    if component_id and not _COMPONENT_ID.fullmatch(component_id):
        raise refused(field, "A component id is letters, digits and - _ . : only.")
    return component_id


def upstream_checked(value, *, field: str = "upstream") -> tuple[str, str] | None:
    """``upstream`` as the services take it, ``null`` or ``{"url", "component_id"}``, as
    ``(url, component_id)`` (component_id "" for the indicator), or None for no upstream."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise refused(field, 'Give null or an object {"url": ..., "component_id": ... | null}.')
    unknown = sorted(set(value) - {"url", "component_id"})
    if unknown:
        raise ValidationError({f"{field}.{name}": ["Unknown field."] for name in unknown})
    errors, url, component_id = {}, "", ""
    try:
        url = upstream_url_checked(value.get("url"), field=f"{field}.url")
    except ValidationError as refusal:
        errors.update(refusal.message_dict)
    try:
        component_id = upstream_component_id_checked(
            value.get("component_id"), field=f"{field}.component_id"
        )
    except ValidationError as refusal:
        errors.update(refusal.message_dict)
    if errors:
        raise ValidationError(errors)
    return url, component_id


def upstream_value(component) -> dict | None:
    """The component's ``upstream`` as the API shows it."""
    if not component.upstream_url:
        return None
    return {"url": component.upstream_url, "component_id": component.upstream_component_id or None}


# ---- a reading of an upstream page ----------------------------------------------------------


@dataclass(frozen=True)
class UpstreamComponent:
    """One component of an upstream page as it published it (``status`` as given)."""

    id: str
    name: str
    status: str
    group: bool  # a group of components (Statuspage lists groups among its components)
    group_id: str | None
    group_name: str | None


@dataclass(frozen=True)
class UpstreamPage:
    """What an upstream page said at its last good reading (``read_at``); ``error``: why the
    latest poll could not read it ("" when it could)."""

    url: str
    name: str
    indicator: str
    components: tuple[UpstreamComponent, ...]
    read_at: datetime
    error: str = ""

    @property
    def status(self) -> str:
        """The indicator as a component status (what mirroring the whole page shows)."""
        return INDICATOR_STATUSES[self.indicator]


class UpstreamUnavailable(Exception):
    """The page could not be read (nor was it read lately): the message says why."""


UpstreamReader = Callable[[str], UpstreamPage]
_readers: list[UpstreamReader] = []
UpstreamWatcher = Callable[[str], None]
_watchers: list[UpstreamWatcher] = []


def register_upstream_reader(reader: UpstreamReader) -> None:
    """The one function that reads an upstream page, given its checked URL (at most once a
    minute per URL, through the outbound rules); it raises UpstreamUnavailable."""
    _readers[:] = [reader]


def register_upstream_watcher(watcher: UpstreamWatcher) -> None:
    """Called after commit with the URL a component starts mirroring."""
    if watcher not in _watchers:
        _watchers.append(watcher)


def upstream_page_read(url: str) -> UpstreamPage:
    """The upstream page at ``url`` (checked with ``upstream_url_checked`` first), its
    components in the order it lists them."""
    if not _readers:
        raise UpstreamUnavailable("Reading upstream pages is not installed here.")
    return _readers[0](url)


def upstream_watch_on_commit(url: str) -> None:
    for watcher in _watchers:
        transaction.on_commit(lambda watcher=watcher: watcher(url))
