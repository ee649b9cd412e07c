from django import template

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
