"""``/v1/pages``, ``.../components`` and ``.../component-groups``."""

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from dialects.statuspage_v1.base import V1View, page_window
from dialects.statuspage_v1.inputs import (
    COMPONENT_FIELD_NAMES,
    GROUP_FIELD_NAMES,
    PAGE_FIELD_NAMES,
    ComponentIn,
    GroupIn,
    PageIn,
    nested_body,
)
from dialects.statuspage_v1.objects import component_object, group_object, page_object
from statuspages import selectors, services
from statuspages.status import effective_statuses


def _component_out(component) -> dict:
    return component_object(component, effective_statuses([component])[component.id])


def _group_out(group) -> dict:
    return group_object(group, selectors.group_component_ids([group]).get(group.id, []))


def _component_changes(page, body: dict) -> dict:
    """A Statuspage component body in ``component_create``/``component_update`` terms."""
    data = ComponentIn(data=body)
    data.is_valid(raise_exception=True)
    changes = dict(data.validated_data)
    if "status" in changes:
        manual_status = changes.pop("status")
        if manual_status:
            changes["manual_status"] = manual_status
    if changes.get("description") is None and "description" in changes:
        changes["description"] = ""
    if "group_id" in changes:
        group_id = changes.pop("group_id")
        changes["group"] = None
        if group_id:
            changes["group"] = selectors.group_on_page(page, group_id)
            if changes["group"] is None:
                raise serializers.ValidationError({"group_id": ["No such group on this page."]})
    return changes


class PageListView(V1View):
    def get(self, request):
        pages = selectors.pages_for_key(self.api_key).order_by("created_at", "id")
        return Response([page_object(page) for page in pages[page_window(request.query_params)]])


class PageDetailView(V1View):
    write_scope = Scope.PAGES_WRITE
    service_field_names = PAGE_FIELD_NAMES

    def get(self, request, page_id):
        return Response(page_object(selectors.page_for_key(self.api_key, page_id)))

    def patch(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        data = PageIn(data=nested_body(request.data, "page"))
        data.is_valid(raise_exception=True)
        page = services.status_page_update(page=page, **data.changes())
        return Response(page_object(page))

    put = patch


class ComponentListView(V1View):
    write_scope = Scope.PAGES_WRITE
    service_field_names = COMPONENT_FIELD_NAMES

    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        components = list(selectors.components_of_page(page).order_by("position", "id")[window])
        statuses = effective_statuses(components)
        return Response([component_object(c, statuses[c.id]) for c in components])

    def post(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        changes = _component_changes(page, nested_body(request.data, "component"))
        component = services.component_create(page=page, name=changes.pop("name", None), **changes)
        return Response(_component_out(component), status=status.HTTP_201_CREATED)


class ComponentDetailView(V1View):
    write_scope = Scope.PAGES_WRITE
    service_field_names = COMPONENT_FIELD_NAMES

    def get(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        return Response(_component_out(component))

    def patch(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        changes = _component_changes(component.page, nested_body(request.data, "component"))
        component = services.component_update(component=component, **changes)
        return Response(_component_out(component))

    put = patch

    def delete(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        try:
            services.component_delete(component=component)
        except services.ComponentInUse as exc:
            raise serializers.ValidationError({"component": [str(exc)]}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def _group_changes(data) -> dict:
    """``{"description": ..., "component_group": {"name", "components"}}``; Statuspage puts
    ``description`` beside the nested object, some clients inside it: both are read."""
    body = nested_body(data, "component_group")
    group = GroupIn(data=body)
    group.is_valid(raise_exception=True)
    changes = dict(group.validated_data)
    if "components" in changes:
        changes["component_ids"] = changes.pop("components")
    description = data.get("description", body.get("description"))
    if description is not None:
        changes["description"] = description
    return changes


class GroupListView(V1View):
    write_scope = Scope.PAGES_WRITE
    service_field_names = GROUP_FIELD_NAMES

    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        groups = list(selectors.groups_of_page(page).order_by("position", "id")[window])
        ids = selectors.group_component_ids(groups)
        return Response([group_object(group, ids.get(group.id, [])) for group in groups])

    def post(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        changes = _group_changes(request.data)
        group = services.component_group_create(
            page=page, name=changes.pop("name", None), **changes
        )
        return Response(_group_out(group), status=status.HTTP_201_CREATED)


class GroupDetailView(V1View):
    write_scope = Scope.PAGES_WRITE
    service_field_names = GROUP_FIELD_NAMES

    def get(self, request, page_id, group_id):
        return Response(_group_out(selectors.group_for_key(self.api_key, page_id, group_id)))

    def patch(self, request, page_id, group_id):
        group = selectors.group_for_key(self.api_key, page_id, group_id)
        group = services.component_group_update(group=group, **_group_changes(request.data))
        return Response(_group_out(group))

    put = patch

    @transaction.atomic
    def delete(self, request, page_id, group_id):
        group = selectors.group_for_key(self.api_key, page_id, group_id)
        deleted = _group_out(group)
        services.component_group_delete(group=group)
        return Response(deleted)
