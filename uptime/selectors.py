"""Daily uptime per component and group, in the page's time zone, in a fixed number of queries
however long the history (README, "Uptime").

Weights, as Statuspage counts them: a major outage is down time in full, a partial outage at
30 %, degraded performance and maintenance not at all.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from incidents.models import Incident, IncidentComponent
from statuspages.access import page_audience, visible_to
from statuspages.models import Component, ComponentGroup, ComponentStatus, StatusPage
from statuspages.status import worst_status
from uptime.models import StatusInterval

DOWNTIME_WEIGHTS = {ComponentStatus.MAJOR_OUTAGE: 1.0, ComponentStatus.PARTIAL_OUTAGE: 0.3}
DEFAULT_DAYS = 90
MAX_PUBLIC_DAYS = 365
# Marked for translation: the human page shows it in the reader's language.
WEIGHTING_NOTE = gettext_noop(
    # xgettext:no-python-format
    "Uptime counts a major outage as fully down and a partial outage as 30 % down; "
    "degraded performance and maintenance count as up."
)


def page_zone(page: StatusPage) -> ZoneInfo:
    try:
        return ZoneInfo(page.time_zone)
    except (ValueError, KeyError, OSError):  # an unknown zone name must not break the page
        return ZoneInfo("UTC")


def page_today(page: StatusPage, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(page_zone(page)).date()


@dataclass(frozen=True)
class DayIncident:
    id: str
    name: str


@dataclass
class UptimeDay:
    date: date
    uptime_percentage: float
    worst_status: str
    incidents: list[DayIncident]

    @property
    def incident_ids(self) -> list[str]:
        return [incident.id for incident in self.incidents]

    @property
    def percentage_text(self) -> str:
        return percentage_text(self.uptime_percentage)


@dataclass
class UptimeRow:
    """One component's (or group's) days, oldest first."""

    id: str
    name: str
    uptime_percentage: float
    days: list[UptimeDay]
    component_ids: list[str] = field(default_factory=list)

    @property
    def percentage_text(self) -> str:
        return percentage_text(self.uptime_percentage)


@dataclass
class PageUptime:
    start: date
    end: date
    components: list[UptimeRow]
    groups: list[UptimeRow]

    def by_id(self) -> dict[str, UptimeRow]:
        return {row.id: row for row in (*self.components, *self.groups)}


def percentage_text(value: float) -> str:
    """Two decimals, rounded down: any down time at all never reads as 100.00."""
    return f"{int(value * 100) / 100:.2f}"


def _rounded(value: float) -> float:
    """Four decimals in JSON (a second of down time in a day is 0.0012 %)."""
    return round(value, 4)


def _day_bounds(start: date, end: date, zone: ZoneInfo) -> list[datetime]:
    """Each day's first moment, and the moment after the last day, in UTC."""
    count = (end - start).days + 1
    return [
        datetime.combine(start + timedelta(days=offset), time(), tzinfo=zone).astimezone(UTC)
        for offset in range(count + 1)
    ]


def page_uptime(
    page: StatusPage,
    *,
    start: date,
    end: date,
    now: datetime | None = None,
    components: list[Component] | None = None,
    groups: list[ComponentGroup] | None = None,
) -> PageUptime:
    """Four queries (two when the page's components and groups are given): components, groups,
    and the intervals and incident links of the window."""
    now = now or timezone.now()
    bounds = _day_bounds(start, end, page_zone(page))
    window_start, window_end = bounds[0], bounds[-1]
    day_count = len(bounds) - 1
    # Seconds of each day that have happened (today: so far; the future: none).
    elapsed = [
        max(0.0, (min(bounds[i + 1], now) - bounds[i]).total_seconds()) for i in range(day_count)
    ]

    if components is None:
        components = list(Component.objects.filter(page=page).order_by("position", "id"))
    if groups is None:
        groups = list(ComponentGroup.objects.filter(page=page).order_by("position", "id"))
    intervals = StatusInterval.objects.filter(page=page, started_at__lt=window_end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=window_start)
    )
    links = (
        IncidentComponent.objects.filter(incident__page=page, incident__started_at__lt=window_end)
        .filter(Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gte=window_start))
        .order_by("incident__started_at", "incident_id")
        .values_list(
            "component_id",
            "incident_id",
            "incident__name",
            "incident__started_at",
            "incident__resolved_at",
        )
    )
    audience = page_audience(page)
    if not audience.everything:  # an audience page lists the reader's incidents alone
        visible = visible_to(Incident.objects.filter(page=page), audience)
        links = links.filter(incident_id__in=visible.values("id"))

    def day_span(begin: datetime, finish: datetime) -> range:
        first = max(0, bisect_right(bounds, begin) - 1)
        last = min(day_count - 1, bisect_right(bounds, finish) - 1)
        return range(first, last + 1)

    downtime: dict[str, list[float]] = defaultdict(lambda: [0.0] * day_count)
    statuses: dict[str, list[list[str]]] = defaultdict(lambda: [[] for _ in range(day_count)])
    for interval in intervals.values_list("component_id", "status", "started_at", "ended_at"):
        component_id, status, began, ended = interval
        began, ended = max(began, window_start), min(ended or now, window_end, now)
        if ended < began:
            continue
        weight = DOWNTIME_WEIGHTS.get(status, 0.0)
        for index in day_span(began, ended):
            overlap = (min(ended, bounds[index + 1]) - max(began, bounds[index])).total_seconds()
            # A status set this very moment already is the day's status, though it lasted no time.
            if overlap > 0 or began == ended:
                statuses[component_id][index].append(status)
                downtime[component_id][index] += weight * max(overlap, 0.0)

    incidents: dict[str, list[list[DayIncident]]] = defaultdict(
        lambda: [[] for _ in range(day_count)]
    )
    for component_id, incident_id, name, began, resolved in links:
        began, finish = max(began, window_start), min(resolved or now, window_end)
        for index in day_span(began, finish):
            # A day it only touched at midnight is not one of its days (unless it lasted no time).
            if began == finish or min(finish, bounds[index + 1]) > max(began, bounds[index]):
                incidents[component_id][index].append(DayIncident(id=incident_id, name=name))

    # Most days of most components saw nothing: they share one day object per date (the page
    # renders and serialises those once), so a large page costs little more than a small one.
    quiet = [
        UptimeDay(
            date=start + timedelta(days=index),
            uptime_percentage=100.0,
            worst_status=worst_status(()),
            incidents=[],
        )
        for index in range(day_count)
    ]

    def day(component_id: str, index: int) -> UptimeDay:
        seen = statuses[component_id][index] if component_id in statuses else None
        touched = incidents[component_id][index] if component_id in incidents else None
        if not seen and not touched:
            return quiet[index]
        return UptimeDay(
            date=quiet[index].date,
            uptime_percentage=_percentage(downtime[component_id][index], elapsed[index]),
            worst_status=worst_status(seen or ()),
            incidents=touched or [],
        )

    component_rows = []
    for component in components:
        days = [day(component.id, index) for index in range(day_count)]
        component_rows.append(
            UptimeRow(
                id=component.id,
                name=component.name,
                uptime_percentage=_percentage(sum(downtime.get(component.id, ())), sum(elapsed)),
                days=days,
                component_ids=[component.id],
            )
        )
    by_id = {row.id: row for row in component_rows}
    members: dict[str, list[UptimeRow]] = defaultdict(list)
    for component in components:
        if component.group_id:
            members[component.group_id].append(by_id[component.id])
    group_rows = [_group_row(group, members[group.id], start, day_count) for group in groups]
    return PageUptime(start=start, end=end, components=component_rows, groups=group_rows)


def _percentage(downtime: float, elapsed: float) -> float:
    if elapsed <= 0:
        return 100.0
    return max(0.0, 100.0 * (1 - downtime / elapsed))


def _group_row(group: ComponentGroup, rows: list[UptimeRow], start: date, day_count: int):
    """A group's day is the mean of its components' and its worst status is theirs."""

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 100.0

    days = []
    for index in range(day_count):
        seen: dict[str, DayIncident] = {}
        for row in rows:
            for incident in row.days[index].incidents:
                seen.setdefault(incident.id, incident)
        days.append(
            UptimeDay(
                date=start + timedelta(days=index),
                uptime_percentage=mean([row.days[index].uptime_percentage for row in rows]),
                worst_status=worst_status(row.days[index].worst_status for row in rows),
                incidents=list(seen.values()),
            )
        )
    return UptimeRow(
        id=group.id,
        name=group.name,
        uptime_percentage=mean([row.uptime_percentage for row in rows]),
        days=days,
        component_ids=[row.id for row in rows],
    )


def day_payload(day: UptimeDay) -> dict:
    return {
        "date": day.date.isoformat(),
        "uptime_percentage": _rounded(day.uptime_percentage),
        "worst_status": day.worst_status,
        "incident_ids": day.incident_ids,
    }


def uptime_payload(uptime: PageUptime) -> dict:
    """``components`` as the contract pins them (section 5); ``groups`` the same per group."""

    shared: dict[int, dict] = {}  # days shared by many rows (page_uptime), built once

    def payload_of(day: UptimeDay) -> dict:
        built = shared.get(id(day))
        if built is None:
            built = shared[id(day)] = day_payload(day)
        return built

    def row(item: UptimeRow, *, group: bool) -> dict:
        payload = {
            "id": item.id,
            "name": item.name,
            "uptime_percentage": _rounded(item.uptime_percentage),
            "days": [payload_of(day) for day in item.days],
        }
        if group:
            payload["component_ids"] = item.component_ids
        return payload

    return {
        "components": [row(item, group=False) for item in uptime.components],
        "groups": [row(item, group=True) for item in uptime.groups],
    }


@dataclass(frozen=True)
class Availability:
    data_available_since: datetime
    # None when no moment of the window is both past and covered by the history.
    percentage: float | None


def component_availability(
    component: Component, *, start_at: datetime, end_at: datetime, now: datetime | None = None
) -> Availability:
    """The component's uptime over ``[start_at, end_at)`` with the weights above, counted from
    when its history begins (its creation) up to now, in one query."""
    if end_at <= start_at:
        raise ValidationError({"end_at": ["end_at must be after start_at."]})
    now = now or timezone.now()
    since = component.created_at
    begin, finish = max(start_at, since), min(end_at, now)
    if finish <= begin:
        return Availability(data_available_since=since, percentage=None)
    intervals = StatusInterval.objects.filter(
        component=component, status__in=list(DOWNTIME_WEIGHTS), started_at__lt=finish
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=begin))
    downtime = 0.0
    for status, began, ended in intervals.values_list("status", "started_at", "ended_at"):
        overlap = (min(ended or now, finish) - max(began, begin)).total_seconds()
        downtime += DOWNTIME_WEIGHTS[status] * max(overlap, 0.0)
    return Availability(
        data_available_since=since,
        percentage=_percentage(downtime, (finish - begin).total_seconds()),
    )
