"""``/v2/status_pages``, ``/v2/status_page_structures``, ``/v2/status_page_components`` and
component availability."""

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.errors import Conflict
from dialects.incident_io.base import IncidentIoView, PagingQuery, paginated, query_errors
from dialects.incident_io.inputs import AvailabilityQuery, ComponentIn
from dialects.incident_io.objects import (
    availability_object,
    component_object,
    status_page_object,
    structure_object,
)
from statuspages import selectors, services
from uptime.selectors import component_availability


class StatusPageListView(IncidentIoView):
    query_parameters = {"GET": ("page_size", "after")}

    def get(self, request):
        self.read_query(PagingQuery)
        pages, meta = paginated(
            selectors.pages_for_key(self.api_key),
            request.query_params,
            ordering=("created_at", "id"),
        )
        return Response(
            {"status_pages": [status_page_object(page) for page in pages], "pagination_meta": meta}
        )


class StatusPageDetailView(IncidentIoView):
    def get(self, request, status_page_id):
        page = selectors.page_for_key(self.api_key, status_page_id)
        return Response({"status_page": status_page_object(page)})


class StructureView(IncidentIoView):
    def get(self, request, status_page_id):
        page = selectors.page_for_key(self.api_key, status_page_id)
        groups, ungrouped, _ = selectors.page_structure(page)
        return Response(structure_object(groups, ungrouped))


def _page_for_new_component(api_key, status_page_id: str | None):
    """incident.io's components belong to the organization, ours to a page: the page named by
    ``status_page_id``, else the key's only page."""
    if status_page_id:
        return selectors.page_for_key(api_key, status_page_id)
    pages = list(selectors.pages_for_key(api_key).order_by("created_at", "id")[:2])
    if len(pages) != 1:
        raise serializers.ValidationError(
            {"status_page_id": ["Name the status page to put the component on."]}
        )
    return pages[0]


class ComponentListView(IncidentIoView):
    write_scope = Scope.PAGES_WRITE

    def get(self, request):
        components = selectors.components_for_key(self.api_key).order_by(
            "page__created_at", "page_id", "position", "id"
        )
        return Response({"status_page_components": [component_object(c) for c in components]})

    def post(self, request):
        body = self.read(ComponentIn)
        page = _page_for_new_component(self.api_key, body.get("status_page_id"))
        component = services.component_create(
            page=page, name=body["name"], description=body.get("description", "")
        )
        return Response(
            {"status_page_component": component_object(component)}, status=status.HTTP_201_CREATED
        )


class ComponentDetailView(IncidentIoView):
    write_scope = Scope.PAGES_WRITE

    def get(self, request, component_id):
        component = selectors.component_of_key(self.api_key, component_id)
        return Response({"status_page_component": component_object(component)})

    def put(self, request, component_id):
        component = selectors.component_of_key(self.api_key, component_id)
        body = self.read(ComponentIn)
        changes = {"name": body["name"]}
        if "description" in body:
            changes["description"] = body["description"]
        component = services.component_update(component=component, **changes)
        return Response({"status_page_component": component_object(component)})

    @transaction.atomic
    def delete(self, request, component_id):
        component = selectors.component_of_key(self.api_key, component_id)
        try:
            services.component_delete(component=component)
        except services.ComponentInUse as exc:
            raise Conflict(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvailabilityView(IncidentIoView):
    query_parameters = {"GET": ("start_at", "end_at")}

    def get(self, request, status_page_id, component_id):
        component = selectors.component_for_key(self.api_key, status_page_id, component_id)
        window = self.read_query(AvailabilityQuery)
        with query_errors():
            availability = component_availability(
                component, start_at=window["start_at"], end_at=window["end_at"]
            )
        return Response(
            {
                "availability": availability_object(
                    component, availability, start_at=window["start_at"], end_at=window["end_at"]
                )
            }
        )
