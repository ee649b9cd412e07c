from django import template
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy

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
