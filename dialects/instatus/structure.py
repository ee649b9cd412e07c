"""``/v2/pages``, ``/v1/user``, ``/v1/{page_id}/components`` and ``/v1/{page_id}/team``."""

from collections import defaultdict

from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Scope
from accounts.selectors import members_for_organization
from dialects.instatus.base import InstatusView, page_window
from dialects.instatus.inputs import ComponentIn
from dialects.instatus.objects import component_object, page_object
from statuspages import selectors, services
from statuspages.models import Component
from statuspages.status import effective_statuses, page_statuses


def _pages_out(pages: list) -> list[dict]:
    """The pages with their derived status, in a fixed number of queries."""
    components = list(
        Component.objects.filter(page__in=[page.id for page in pages]).only(
            "id", "page_id", "manual_status", "upstream_status"
        )
    )
    statuses = effective_statuses(components)
    by_page: dict[str, list[str]] = defaultdict(list)
    for component in components:
        by_page[component.page_id].append(statuses[component.id])
    indicators = page_statuses(pages, by_page)
    return [
        page_object(page, by_page.get(page.id, []), indicators[page.id]["indicator"])
        for page in pages
    ]


class PageListView(InstatusView):
    def get(self, request):
        pages = selectors.pages_for_key(self.api_key).order_by("created_at", "id")
        return Response(_pages_out(list(pages[page_window(request.query_params)])))


class UserView(InstatusView):
    """Instatus's user is the person the key belongs to: here the member who created the key
    (or, for a key made from the command line, the key itself)."""

    def get(self, request):
        key = self.api_key
        member = key.created_by
        user = member.user if member is not None else None
        return Response(
            {
                "id": member.id if member is not None else key.id,
                "email": member.email if member is not None else None,
                "name": (user.get_full_name() or member.email) if user is not None else key.name,
                "slug": key.organization.slug,
                "avatar": None,
                "createdAt": (member or key).created_at.isoformat().replace("+00:00", "Z"),
            }
        )


def _component_changes(page, form: ComponentIn) -> dict:
    changes = form.changes()
    group_id = changes.get("group")
    if group_id:
        changes["group"] = selectors.group_on_page(page, group_id)
        if changes["group"] is None:
            raise serializers.ValidationError({"group": ["No such group on this page."]})
    return changes


def _read(data) -> ComponentIn:
    form = ComponentIn(data=data if isinstance(data, dict) else {})
    form.is_valid(raise_exception=True)
    return form


def _component_out(component) -> dict:
    return component_object(component, effective_statuses([component])[component.id])


class ComponentListView(InstatusView):
    write_scope = Scope.PAGES_WRITE

    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        components = list(
            selectors.components_of_page(page)
            .select_related("group")
            .order_by("position", "id")[window]
        )
        statuses = effective_statuses(components)
        return Response([component_object(c, statuses[c.id]) for c in components])

    def post(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        changes = _component_changes(page, _read(request.data))
        component = services.component_create(page=page, **{"name": "", **changes})
        return Response(_component_out(component))


class ComponentDetailView(InstatusView):
    write_scope = Scope.PAGES_WRITE

    def get(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        return Response(_component_out(component))

    def put(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        changes = _component_changes(component.page, _read(request.data))
        component = services.component_update(component=component, **changes)
        return Response(_component_out(component))

    patch = put

    def delete(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        try:
            services.component_delete(component=component)
        except services.ComponentInUse as exc:
            raise serializers.ValidationError({"component": [str(exc)]}) from exc
        return Response({"id": component_id})


class TeamView(InstatusView):
    """The page's team: the members of the organization it belongs to (every member reaches
    every page of it)."""

    def get(self, request, page_id):
        selectors.page_for_key(self.api_key, page_id)  # 404 for a page the key may not see
        window = page_window(request.query_params)
        members = members_for_organization(self.api_key.organization).order_by("created_at", "id")
        return Response(
            [
                {
                    "id": member.id,
                    "email": member.email,
                    "role": member.role.upper(),
                    "status": member.status.upper(),
                    "user": {
                        "id": member.user_id,
                        "name": member.user.get_full_name() or member.email,
                        "email": member.email,
                        "avatar": None,
                    },
                }
                for member in members[window]
            ]
        )
