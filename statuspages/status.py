"""Derived status, in one place (README, "How status is derived").

A component's effective status is the worst of its manual status, its upstream's status while
it mirrors one (``Component.upstream_status``, read with the row: no query), and what every
*status source* says about it. Incidents, maintenances and monitors register sources; each
answers for many components at once in a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from statuspages.models import ComponentStatus, Impact

SEVERITY = {status: rank for rank, status in enumerate(ComponentStatus.values)}


IMPACT_BY_STATUS = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Impact.NONE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}

INDICATOR_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Partially Degraded Service",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}


def worst_status(statuses: Iterable[str]) -> str:
    return max(statuses, key=SEVERITY.__getitem__, default=ComponentStatus.OPERATIONAL)


def worst_impact(impacts: Iterable[str]) -> str:
    return max(impacts, key=Impact.values.index, default=Impact.NONE)


def impact_for_statuses(statuses: Iterable[str]) -> str:
    """An incident's impact from its components' statuses (before any override)."""
    return IMPACT_BY_STATUS[worst_status(statuses)]


@dataclass
class PageSignals:
    """What sources say about whole pages: unresolved incident impacts, maintenance running."""

    impacts: list[str] = field(default_factory=list)
    maintenance_in_progress: bool = False


# A component source: component ids -> {component_id: [statuses it imposes]}.
ComponentSource = Callable[[list[str]], dict[str, list[str]]]
# A page source: page ids -> {page_id: PageSignals-like contributions}, applied in place.
PageSource = Callable[[list[str], dict[str, PageSignals]], None]

_component_sources: list[ComponentSource] = []
_page_sources: list[PageSource] = []
# A source's hint: (attribute, expression factory). ``components_with_status_hints`` annotates
# a component query with it (a boolean: "this source may speak for the component"), read in
# the same query as the rows, so it is never stale; the source is not asked about components
# whose hint is false, nor at all when no component needs it. Rows loaded without the hint are
# asked as usual.
_hints: dict[ComponentSource, tuple[str, Callable[[], object]]] = {}


def register_component_source(
    source: ComponentSource, *, hint: tuple[str, Callable[[], object]] | None = None
) -> None:
    if source not in _component_sources:
        _component_sources.append(source)
    if hint is not None:
        _hints[source] = hint


def components_with_status_hints(components):
    """The component queryset annotated with the sources' hints (see ``_hints``)."""
    return components.annotate(
        **{attribute: expression() for attribute, expression in _hints.values()}
    )


def _asked(source: ComponentSource, components: list) -> list[str]:
    if source not in _hints:
        return [component.id for component in components]
    attribute = _hints[source][0]
    return [component.id for component in components if getattr(component, attribute, True)]


def register_page_source(source: PageSource) -> None:
    if source not in _page_sources:
        _page_sources.append(source)


def effective_statuses(components: Iterable) -> dict[str, str]:
    """``{component_id: effective status}`` for the given Component rows."""
    components = list(components)
    imposed: dict[str, list[str]] = defaultdict(list)
    for source in _component_sources:
        ids = _asked(source, components)
        if ids:
            for component_id, statuses in source(ids).items():
                imposed[component_id].extend(statuses)
    return {
        component.id: worst_status([*own_statuses(component), *imposed[component.id]])
        for component in components
    }


def own_statuses(component) -> list[str]:
    """The statuses the component's row carries: its manual status and, while it mirrors an
    upstream page that was read, what that page says (clearing ``upstream`` clears it)."""
    if component.upstream_status:
        return [component.manual_status, component.upstream_status]
    return [component.manual_status]


def page_statuses(pages: Iterable, statuses_by_page: dict[str, list[str]]) -> dict[str, dict]:
    """``{page_id: {"indicator", "description"}}`` given each page's effective statuses."""
    page_ids = [page.id for page in pages]
    signals = {page_id: PageSignals() for page_id in page_ids}
    if page_ids:
        for source in _page_sources:
            source(page_ids, signals)
    result = {}
    for page_id in page_ids:
        component_impact = impact_for_statuses(statuses_by_page.get(page_id, []))
        indicator = worst_impact([component_impact, *signals[page_id].impacts])
        if indicator == Impact.NONE and signals[page_id].maintenance_in_progress:
            indicator = "maintenance"
        result[page_id] = {"indicator": indicator, "description": INDICATOR_DESCRIPTIONS[indicator]}
    return result
