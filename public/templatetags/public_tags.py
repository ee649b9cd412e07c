from functools import lru_cache

from django import template
from django.utils import dateformat, translation
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

register = template.Library()

# Every status a reader sees, in the active language (the JSON documents keep the values).
_LABELS = {
    # components
    "operational": gettext_lazy("Operational"),
    "under_maintenance": gettext_lazy("Under Maintenance"),
    "degraded_performance": gettext_lazy("Degraded Performance"),
    "partial_outage": gettext_lazy("Partial Outage"),
    "major_outage": gettext_lazy("Major Outage"),
    # incidents
    "investigating": gettext_lazy("Investigating"),
    "identified": gettext_lazy("Identified"),
    "monitoring": gettext_lazy("Monitoring"),
    "resolved": gettext_lazy("Resolved"),
    "postmortem": gettext_lazy("Postmortem"),
    # maintenances
    "scheduled": gettext_lazy("Scheduled"),
    "in_progress": gettext_lazy("In Progress"),
    "verifying": gettext_lazy("Verifying"),
    "completed": gettext_lazy("Completed"),
    # impacts
    "none": pgettext_lazy("impact", "None"),
    "minor": pgettext_lazy("impact", "Minor"),
    "major": pgettext_lazy("impact", "Major"),
    "critical": pgettext_lazy("impact", "Critical"),
    "maintenance": pgettext_lazy("impact", "Maintenance"),
}

# The page's overall status; the same words as statuspages.status in English.
_INDICATORS = {
    "none": gettext_lazy("All Systems Operational"),
    "minor": gettext_lazy("Partially Degraded Service"),
    "major": gettext_lazy("Partial System Outage"),
    "critical": gettext_lazy("Major Service Outage"),
    "maintenance": gettext_lazy("Service Under Maintenance"),
}

# English keeps the page's own short form; other languages take their locale's date format.
_ENGLISH_DATE = "M j, Y"


@register.filter
def status_label(value: str) -> str:
    """``degraded_performance`` -> ``Degraded Performance`` (enum values are never user text)."""
    label = _LABELS.get(value)
    return str(label) if label is not None else str(value).replace("_", " ").title()


@register.filter
def indicator_label(indicator: str) -> str:
    """The page's overall status in words, in the active language."""
    return str(_INDICATORS.get(indicator, _INDICATORS["none"]))


def date_format() -> str:
    return _ENGLISH_DATE if get_language() in (None, "en") else get_format("DATE_FORMAT")


@register.filter
def day(value) -> str:
    """A date in the reader's language: ``Dec 6, 2026``, ``6 décembre 2026``, ``2026年12月6日``."""
    return dateformat.format(value, date_format()) if value else ""


@register.filter
def moment(value) -> str:
    """A date and time in the current time zone (the page's), in the reader's language:
    ``Dec 6, 2026 01:12 UTC``, ``6 décembre 2026 01:12 UTC``."""
    if not value:
        return ""
    return dateformat.format(localtime(value), date_format() + " H:i T")


@register.filter
def moment_without_zone(value) -> str:
    if not value:
        return ""
    return dateformat.format(localtime(value), date_format() + " H:i")


def _day_cell(
    day_date, percentage: str, worst: str, incidents_html: str, incidents_text: str
) -> str:
    label = dateformat.format(day_date, date_format())
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
