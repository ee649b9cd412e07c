from functools import lru_cache

from django import template
from django.utils import dateformat, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_LABELS = {
    "operational": "Operational",
    "under_maintenance": "Under Maintenance",
    "degraded_performance": "Degraded Performance",
    "partial_outage": "Partial Outage",
    "major_outage": "Major Outage",
    "in_progress": "In Progress",
}


@register.filter
def status_label(value: str) -> str:
    """``degraded_performance`` -> ``Degraded Performance`` (enum values are never user text)."""
    return _LABELS.get(value) or str(value).replace("_", " ").title()


def _day_cell(
    day_date, percentage: str, worst: str, incidents_html: str, incidents_text: str
) -> str:
    label = dateformat.format(day_date, "M j, Y")
    status = status_label(worst)
    summary = _("%(date)s: %(percentage)s%% uptime, %(status)s") % {
        "date": label,
        "percentage": percentage,
        "status": status,
    }
    uptime = _("%(percentage)s%% uptime · %(status)s") % {
        "percentage": percentage,
        "status": status,
    }
    return (
        f'<li class="bar bar-{escape(worst)}" tabindex="0" data-date="{day_date.isoformat()}" '
        f'aria-label="{escape(summary + incidents_text)}"><span class="tip" role="tooltip">'
        f'<strong>{escape(label)}</strong><span class="tip-uptime">{escape(uptime)}</span>'
        f"{incidents_html}</span></li>"
    )


@lru_cache(maxsize=4096)
def _quiet_cell(day_date, percentage: str, worst: str, language: str | None) -> str:
    """A day without incidents looks the same on every bar of the page: rendered once."""
    none = f'<span class="tip-none">{escape(_("No incidents"))}</span>'
    return _day_cell(day_date, percentage, worst, none, _("; no incidents"))


@register.simple_tag
def uptime_bars(row) -> str:
    """The ``<li>`` of each day of an uptime row (``public/_uptime.html``), built in Python: a
    500-component page has 45,000 of them, which template tags took seconds to render."""
    cells = []
    language = translation.get_language()
    for day in row.days:
        if not day.incidents:
            cells.append(_quiet_cell(day.date, day.percentage_text, day.worst_status, language))
            continue
        names = [incident.name for incident in day.incidents]
        cells.append(
            _day_cell(
                day.date,
                day.percentage_text,
                day.worst_status,
                "".join(f'<span class="tip-incident">{escape(name)}</span>' for name in names),
                _("; incidents: %(names)s") % {"names": ", ".join(names)},
            )
        )
    return mark_safe("".join(cells))  # noqa: S308 - every user text above is escaped
