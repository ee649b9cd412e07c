"""incident.io's Status Pages V2 and Status Page Components V2 paths."""

from django.urls import path, re_path

from core.views import not_found
from dialects.incident_io import incidents, maintenances, pages
from dialects.incident_io.openapi import openapi_view

urlpatterns = [
    path("openapi.json", openapi_view, name="incident-io-openapi"),
    path("v2/status_pages", pages.StatusPageListView.as_view()),
    path("v2/status_pages/<str:status_page_id>", pages.StatusPageDetailView.as_view()),
    path(
        "v2/status_pages/<str:status_page_id>/components/<str:component_id>/availability",
        pages.AvailabilityView.as_view(),
    ),
    path("v2/status_page_structures/<str:status_page_id>", pages.StructureView.as_view()),
    path("v2/status_page_components", pages.ComponentListView.as_view()),
    path("v2/status_page_components/<str:component_id>", pages.ComponentDetailView.as_view()),
    path("v2/status_page_incidents", incidents.IncidentListView.as_view()),
    path("v2/status_page_incidents/<str:incident_id>", incidents.IncidentDetailView.as_view()),
    path("v2/status_page_incident_updates", incidents.IncidentUpdateView.as_view()),
    path("v2/status_page_retrospective_incidents", incidents.RetrospectiveIncidentView.as_view()),
    path("v2/status_page_maintenances", maintenances.MaintenanceListView.as_view()),
    path(
        "v2/status_page_maintenances/<str:maintenance_id>",
        maintenances.MaintenanceDetailView.as_view(),
    ),
    path("v2/status_page_maintenance_updates", maintenances.MaintenanceUpdateView.as_view()),
    re_path(r"^.*$", not_found),
]
