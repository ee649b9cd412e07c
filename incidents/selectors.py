from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from rest_framework.exceptions import ValidationError

from incidents.models import Incident, IncidentComponent, IncidentStatus, IncidentUpdate
from statuspages.models import ReaderGroup
from statuspages.selectors import pages_for_key

STATUS_FILTERS = ("unresolved", "resolved", *IncidentStatus.values)


def incidents_for_page(page, *, status: str | None = None) -> QuerySet[Incident]:
    """``status``: ``unresolved``, or one incident status (``resolved`` included)."""
    incidents = Incident.objects.filter(page=page).select_related("page")
    if status is None or status == "":
        return incidents
    if status not in STATUS_FILTERS:
        raise ValidationError({"status": [f"Use one of: {', '.join(STATUS_FILTERS)}."]})
    if status == "unresolved":
        return incidents.exclude(status=IncidentStatus.RESOLVED)
    return incidents.filter(status=status)


def incident_for_page(page, incident_id: str) -> Incident:
    incident = incidents_for_page(page).filter(id=incident_id).first()
    if incident is None:
        raise Http404("Incident not found.")
    return incident


def incidents_with_details(incidents: list[Incident]) -> list[Incident]:
    """Components and updates for all ``incidents`` in two queries, however many."""
    prefetch_related_objects(
        incidents,
        Prefetch(
            "component_links",
            queryset=IncidentComponent.objects.select_related("component").order_by(
                "component__position", "component_id"
            ),
        ),
        Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-created_at", "-id")),
        Prefetch("audience_groups", queryset=ReaderGroup.objects.only("id").order_by("id")),
    )
    return incidents


def incident_for_key(api_key, incident_id: str) -> Incident:
    """An incident of any page this key may see (APIs that address incidents by id alone);
    otherwise 404, whether or not it exists."""
    incident = incidents_for_key(api_key).filter(id=incident_id).first()
    if incident is None:
        raise Http404("Incident not found.")
    return incident


def incidents_for_key(api_key) -> QuerySet[Incident]:
    return Incident.objects.filter(page__in=pages_for_key(api_key)).select_related("page")
