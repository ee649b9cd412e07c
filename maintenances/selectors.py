from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from rest_framework.exceptions import ValidationError

from maintenances.models import Maintenance, MaintenanceStatus, MaintenanceUpdate
from statuspages.models import Component, ReaderGroup
from statuspages.selectors import pages_for_key


def maintenances_for_page(page, *, status: str | None = None) -> QuerySet[Maintenance]:
    maintenances = Maintenance.objects.filter(page=page).select_related("page")
    if not status:
        return maintenances
    if status not in MaintenanceStatus.values:
        raise ValidationError({"status": [f"Use one of: {', '.join(MaintenanceStatus.values)}."]})
    return maintenances.filter(status=status)


def maintenance_for_page(page, maintenance_id: str) -> Maintenance:
    maintenance = maintenances_for_page(page).filter(id=maintenance_id).first()
    if maintenance is None:
        raise Http404("Maintenance not found.")
    return maintenance


def maintenances_with_details(maintenances: list[Maintenance]) -> list[Maintenance]:
    """Components and updates for all ``maintenances`` in two queries, however many."""
    prefetch_related_objects(
        maintenances,
        Prefetch("components", queryset=Component.objects.order_by("position", "id")),
        Prefetch("updates", queryset=MaintenanceUpdate.objects.order_by("-created_at", "-id")),
        Prefetch("audience_groups", queryset=ReaderGroup.objects.only("id").order_by("id")),
    )
    return maintenances


def maintenance_for_key(api_key, maintenance_id: str) -> Maintenance:
    """A maintenance of any page this key may see (APIs that address them by id alone);
    otherwise 404, whether or not it exists."""
    maintenance = (
        Maintenance.objects.filter(page__in=pages_for_key(api_key), id=maintenance_id)
        .select_related("page")
        .first()
    )
    if maintenance is None:
        raise Http404("Maintenance not found.")
    return maintenance
