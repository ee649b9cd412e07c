"""What a source said about one page, in our terms but with the source's ids: every reader
(``imports.sources``) builds one, the writer (``imports.writing``) records it. Statuses are
ours; component, group and update references are the source's ids."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.dateparse import parse_date, parse_datetime


@dataclass
class SourcePage:
    source_id: str
    name: str
    slug: str  # the slug the source gives it (or its name's); ours may differ
    time_zone: str = "UTC"


@dataclass
class SourceGroup:
    source_id: str
    name: str
    description: str
    position: int


@dataclass
class SourceComponent:
    source_id: str
    name: str
    description: str
    group_id: str | None
    position: int  # within its group, or among the ungrouped components
    status: str  # as the source shows it now (incidents and maintenances included)
    showcase: bool = True
    only_show_if_degraded: bool = False
    start_date: date | None = None


@dataclass
class SourceUpdate:
    source_id: str
    status: str
    message: str
    published_at: datetime
    # [{component_id (the source's), status?, old_status?, new_status?}]
    components: list[dict] = field(default_factory=list)


@dataclass
class SourceIncident:
    source_id: str
    name: str
    updates: list[SourceUpdate]  # oldest first
    impact: str | None = None
    impact_override: str | None = None
    started_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    postmortem: str = ""
    postmortem_published_at: datetime | None = None
    # Its components as the source shows them now ([{component_id, status}]); None: the
    # source lists them only in the updates.
    components: list[dict] | None = None

    @property
    def status(self) -> str:
        return self.updates[-1].status if self.updates else ""


@dataclass
class SourceMaintenance:
    source_id: str
    name: str
    status: str
    start_at: datetime
    end_at: datetime
    updates: list[SourceUpdate]  # oldest first
    component_ids: list[str] = field(default_factory=list)
    auto_transition: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class SourceTemplate:
    source_id: str
    kind: str  # "incident" or "maintenance"
    name: str
    title: str
    message: str
    status: str  # ours, or "" for none
    notify_subscribers: bool = True
    # incident: [{component_id, status}]; maintenance: [{component_id}]
    components: list[dict] = field(default_factory=list)


@dataclass
class SourceSubscriber:
    source_id: str
    channel: str
    email: str = ""
    phone_number: str = ""
    phone_country: str = ""
    endpoint: str = ""
    component_ids: list[str] = field(default_factory=list)
    confirmed: bool = False
    quarantined: bool = False


@dataclass
class Unreadable:
    """An item of the source that could not be read: reported and skipped."""

    kind: str
    source_id: str
    reason: str


@dataclass
class Snapshot:
    source_key: str  # the source's base URL and page id: what its ids are unique within
    page: SourcePage
    groups: list[SourceGroup] = field(default_factory=list)
    components: list[SourceComponent] = field(default_factory=list)
    incidents: list[SourceIncident] = field(default_factory=list)
    maintenances: list[SourceMaintenance] = field(default_factory=list)
    templates: list[SourceTemplate] = field(default_factory=list)
    subscribers: list[SourceSubscriber] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    # What the source cannot give (e.g. incident.io has no subscribers API), said once.
    notes: list[str] = field(default_factory=list)

    def read(self, kind: str, raw, parse):
        """``parse(raw)``, or None with the item noted as unreadable (a source's item that
        lacks a field, or has one we cannot read, is skipped, never half-written)."""
        try:
            return parse(raw)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            source_id = raw.get("id") if isinstance(raw, dict) else None
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self.unreadable.append(Unreadable(kind, str(source_id or "?"), reason))
            return None


def time_read(value) -> datetime | None:
    """An RFC 3339 time (None stays None); anything else, or one without its zone, is a
    ValueError."""
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"not a time with its zone: {value!r}")
    return parsed


def date_read(value) -> date | None:
    if value in (None, ""):
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return parsed


def text_read(value) -> str:
    """A text field: None is empty; anything but a string is a TypeError."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def ordered(items: list, key) -> list:
    """``items`` sorted by ``key`` (None last), the source's own order breaking ties."""
    indexed = list(enumerate(items))
    indexed.sort(key=lambda pair: (key(pair[1]) is None, key(pair[1]) or 0, pair[0]))
    return [item for _, item in indexed]
