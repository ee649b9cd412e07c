"""Statuspage's v1 paths, each also with Statuspage's optional ``.json`` suffix."""

from django.urls import re_path

from core.views import not_found
from dialects.statuspage_v1 import incidents, structure, subscribers, templates
from dialects.statuspage_v1.openapi import openapi_view

_ID = r"[^/]+?"


def _route(pattern: str, view):
    return re_path(rf"^{pattern}(?:\.json)?$", view.as_view())


urlpatterns = [
    re_path(r"^openapi\.json$", openapi_view, name="statuspage-v1-openapi"),
    _route("pages", structure.PageListView),
    _route(rf"pages/(?P<page_id>{_ID})", structure.PageDetailView),
    _route(rf"pages/(?P<page_id>{_ID})/components", structure.ComponentListView),
    _route(
        rf"pages/(?P<page_id>{_ID})/components/(?P<component_id>{_ID})",
        structure.ComponentDetailView,
    ),
    _route(rf"pages/(?P<page_id>{_ID})/component-groups", structure.GroupListView),
    _route(
        rf"pages/(?P<page_id>{_ID})/component-groups/(?P<group_id>{_ID})",
        structure.GroupDetailView,
    ),
    _route(rf"pages/(?P<page_id>{_ID})/incidents", incidents.IncidentListView),
    _route(rf"pages/(?P<page_id>{_ID})/incidents/unresolved", incidents.UnresolvedListView),
    _route(rf"pages/(?P<page_id>{_ID})/incidents/scheduled", incidents.ScheduledListView),
    _route(rf"pages/(?P<page_id>{_ID})/incidents/upcoming", incidents.UpcomingListView),
    _route(
        rf"pages/(?P<page_id>{_ID})/incidents/active_maintenance",
        incidents.ActiveMaintenanceListView,
    ),
    _route(
        rf"pages/(?P<page_id>{_ID})/incidents/(?P<incident_id>{_ID})", incidents.IncidentDetailView
    ),
    _route(
        rf"pages/(?P<page_id>{_ID})/incidents/(?P<incident_id>{_ID})"
        rf"/incident_updates/(?P<update_id>{_ID})",
        incidents.IncidentUpdateDetailView,
    ),
    _route(rf"pages/(?P<page_id>{_ID})/incident_templates", templates.IncidentTemplateListView),
    _route(rf"pages/(?P<page_id>{_ID})/subscribers", subscribers.SubscriberListView),
    _route(rf"pages/(?P<page_id>{_ID})/subscribers/unsubscribe", subscribers.UnsubscribeView),
    _route(
        rf"pages/(?P<page_id>{_ID})/subscribers/(?P<subscriber_id>{_ID})",
        subscribers.SubscriberDetailView,
    ),
    re_path(r"^.*$", not_found),
]
