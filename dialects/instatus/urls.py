"""Instatus's paths under ``/instatus/`` (``https://api.instatus.com`` becomes
``{PUBLIC_BASE_URL}/instatus``)."""

from django.urls import re_path

from core.views import not_found
from dialects.instatus import incidents, maintenances, metrics, structure, subscribers, templates
from dialects.instatus.openapi import openapi_view

_ID = r"[^/]+"
_PAGE = rf"v1/(?P<page_id>{_ID})"


def _route(pattern: str, view):
    return re_path(rf"^{pattern}/?$", view.as_view())


urlpatterns = [
    re_path(r"^openapi\.json$", openapi_view, name="instatus-openapi"),
    _route("v2/pages", structure.PageListView),
    _route("v1/user", structure.UserView),
    _route(f"{_PAGE}/components", structure.ComponentListView),
    _route(rf"{_PAGE}/components/(?P<component_id>{_ID})", structure.ComponentDetailView),
    _route(f"{_PAGE}/incidents", incidents.IncidentListView),
    _route(rf"{_PAGE}/incidents/(?P<incident_id>{_ID})", incidents.IncidentDetailView),
    _route(
        rf"{_PAGE}/incidents/(?P<incident_id>{_ID})/incident-updates",
        incidents.IncidentUpdateListView,
    ),
    _route(
        rf"{_PAGE}/incidents/(?P<incident_id>{_ID})/incident-updates/(?P<update_id>{_ID})",
        incidents.IncidentUpdateDetailView,
    ),
    _route(f"{_PAGE}/maintenances", maintenances.MaintenanceListView),
    _route(rf"{_PAGE}/maintenances/(?P<maintenance_id>{_ID})", maintenances.MaintenanceDetailView),
    _route(
        rf"{_PAGE}/maintenances/(?P<maintenance_id>{_ID})/maintenance-updates",
        maintenances.MaintenanceUpdateListView,
    ),
    _route(
        rf"{_PAGE}/maintenances/(?P<maintenance_id>{_ID})/maintenance-updates/(?P<update_id>{_ID})",
        maintenances.MaintenanceUpdateDetailView,
    ),
    _route(f"{_PAGE}/templates", templates.TemplateListView),
    _route(f"{_PAGE}/team", structure.TeamView),
    _route(f"{_PAGE}/subscribers", subscribers.SubscriberListView),
    _route(rf"{_PAGE}/subscribers/(?P<subscriber_id>{_ID})", subscribers.SubscriberDetailView),
    _route(f"{_PAGE}/metrics", metrics.MetricListView),
    re_path(r"^.*$", not_found),
]
