"""The human status page and incident pages: server-rendered, no JavaScript needed."""

import re
from datetime import timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from core.languages import Language, language_requested, language_selected, remember_language
from incidents.shapes import public_incident_status
from maintenances.models import MaintenanceStatus
from metrics.charts import chart_summary, chart_svg
from metrics.selectors import PERIODS, page_charts
from public import selectors
from public.http import cached_document, conditional_response
from statuspages.models import StatusPage
from uptime.selectors import DEFAULT_DAYS, WEIGHTING_NOTE, page_today, page_uptime

HTML = "text/html; charset=utf-8"
_ITEM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A human page's words follow the reader's language (core.languages), so a shared cache keeps
# one copy per language asked for; the JSON documents have no such header.
HUMAN_VARY = "Accept-Language, Cookie"


def page_zone(page: StatusPage) -> ZoneInfo:
    try:
        return ZoneInfo(page.time_zone)
    except (ValueError, KeyError, OSError):  # an unknown zone name must not break the page
        return ZoneInfo("UTC")


def page_base(slug: str | None) -> str:
    """The page root for links: path-routed pages live under /pages/{slug}, host-routed at /."""
    return f"/pages/{slug}" if slug else ""


def human_document_name(name: str, request) -> str:
    """The cache name of a human page in the language the request asks for ("default": none
    of ours, so the page's default language); computed from the request alone, as the early
    cache middleware computes it."""
    return f"{name}:{language_requested(request) or 'default'}"


def in_reader_language(request, render):
    """``render(page)`` in the reader's language, else the page's default language."""

    def render_translated(page: StatusPage) -> bytes:
        with translation.override(language_requested(request) or page.default_language):
            return render(page)

    return render_translated


def human_response(request, document) -> HttpResponse:
    response = conditional_response(request, document, HTML)
    response["Vary"] = HUMAN_VARY
    if (selected := language_selected(request)) is not None:
        remember_language(response, selected)  # the selector's choice holds on later pages
    return response


def _annotate_incidents(incidents, state):
    for incident in incidents:
        incident.public_status = public_incident_status(incident)
        incident.component_names = [
            state.by_id[link.component_id].name
            for link in incident.component_links.all()
            if link.component_id in state.by_id
        ]
    return incidents


def _annotate_maintenances(maintenances, state):
    for maintenance in maintenances:
        maintenance.component_names = [
            state.by_id[component_id].name
            for component_id in maintenance.public_component_ids
            if component_id in state.by_id
        ]
    return maintenances


def _common_context(page: StatusPage, base: str) -> dict:
    return {
        "page": page,
        "base": base,
        "zone": page_zone(page),
        "language": translation.get_language(),
        "languages": Language.choices,
    }


def _metric_charts(page: StatusPage) -> list[dict]:
    """Each displayed metric with its day, week and month charts (SVG drawn here)."""
    charts = page_charts(page, list(PERIODS))
    return [
        {
            "metric": day.metric,
            "charts": [
                {"period": chart.period, "svg": chart_svg(chart), "summary": chart_summary(chart)}
                for chart in (day, week, month)
            ],
        }
        for day, week, month in zip(charts["day"], charts["week"], charts["month"], strict=True)
    ]


def status_page_context(page: StatusPage, base: str) -> dict:
    state = selectors.page_state(page)
    zone = page_zone(page)
    today = page_today(page)
    uptime = page_uptime(
        page,
        start=today - timedelta(days=DEFAULT_DAYS - 1),
        end=today,
        components=state.components,
        groups=state.groups,
    ).by_id()
    sections = [
        {
            "group": group,
            "status": status,
            "uptime": uptime.get(group.id) if group else None,
            "components": [
                {
                    "component": component,
                    "status": state.statuses[component.id],
                    "uptime": uptime[component.id],
                }
                for component in children
            ],
        }
        for group, children, status in state.layout()
    ]
    unresolved, history = selectors.incidents_for_status_page(page)
    _annotate_incidents(history + unresolved, state)
    maintenances = _annotate_maintenances(selectors.maintenances_open(page), state)
    history_days = [
        {"day": day, "incidents": list(items)}
        for day, items in groupby(history, key=lambda i: i.started_at.astimezone(zone).date())
    ]
    return {
        **_common_context(page, base),
        "state": state,
        "sections": sections,
        "unresolved": unresolved,
        "active": [m for m in maintenances if m.is_active],
        "upcoming": [m for m in maintenances if m.status == MaintenanceStatus.SCHEDULED],
        "history_days": history_days,
        "history_window": selectors.HISTORY_DAYS,
        "metric_charts": _metric_charts(page),
        "uptime_days": DEFAULT_DAYS,
        "uptime_note": gettext(WEIGHTING_NOTE),
    }


def status_page_view(request, slug: str | None = None):
    base = page_base(slug)

    def render(page: StatusPage) -> bytes:
        return render_to_string("public/status_page.html", status_page_context(page, base)).encode()

    name = human_document_name(f"index.html:{base}", request)
    document = cached_document(request, slug, name, in_reader_language(request, render))
    return human_response(request, document)


def _detail_context(page: StatusPage, base: str, item_id: str) -> dict:
    state = selectors.page_state(page)
    context = {**_common_context(page, base), "state": state}
    if item_id.startswith("mnt_"):
        maintenance = selectors.maintenance_for_page(page, item_id)
        if maintenance is None:
            raise Http404("No such maintenance.")
        context["maintenance"] = _annotate_maintenances([maintenance], state)[0]
        context["shortlink"] = maintenance.shortlink
    else:
        incident = selectors.incident_for_page(page, item_id)
        if incident is None:
            raise Http404("No such incident.")
        context["incident"] = _annotate_incidents([incident], state)[0]
        context["shortlink"] = incident.shortlink
    return context


def incident_view(request, incident_id: str, slug: str | None = None):
    """An incident (or a maintenance: they share this route, as on Statuspage)."""
    if not _ITEM_ID.fullmatch(incident_id):  # no id looks otherwise; keeps cache keys plain
        raise Http404("No such incident.")
    base = page_base(slug)

    def render(page: StatusPage) -> bytes:
        context = _detail_context(page, base, incident_id)
        return render_to_string("public/incident.html", context).encode()

    name = human_document_name(f"incident:{incident_id}:{base}", request)
    document = cached_document(request, slug, name, in_reader_language(request, render))
    return human_response(request, document)
