"""HTTP for pages, groups, components and structure: validate, call a service or a selector,
render. Serializers are in statuspages/serializers.py, querysets in statuspages/selectors.py."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import Scope
from core.api import ApiView
from core.errors import Conflict, InsufficientScope
from core.schema import list_response, paginated_parameters
from statuspages import selectors, services
from statuspages.api_base import PageApiView
from statuspages.serializers import (
    ComponentIn,
    ComponentOut,
    GroupIn,
    GroupOut,
    PageIn,
    PageOut,
    StructureGroupOut,
    StructureOut,
    UpstreamPageOut,
)
from statuspages.status import effective_statuses
from statuspages.upstreams import (
    URL_MAX_LENGTH,
    UpstreamUnavailable,
    upstream_page_read,
    upstream_url_checked,
)


def _page_out(pages) -> dict:
    return {"page_statuses": selectors.page_status_map(pages)}


class StatusPageListView(ApiView):
    write_scope = Scope.PAGES_WRITE
    service_field_names = {"url_override": "url"}

    @extend_schema(
        operation_id="status_pages_list",
        description=(
            "The status pages this key may see (all of its organization's, or only those the key is"
            " limited to), oldest first."
        ),
        parameters=paginated_parameters(),
        responses=list_response(PageOut),
        tags=["Status pages"],
    )
    def get(self, request):
        return self.paginated(
            selectors.pages_for_key(self.api_key), PageOut, ordering=("id",), context=_page_out
        )

    @extend_schema(
        operation_id="status_pages_create",
        description=(
            "Creates a status page; it is public at `url` at once. A key limited to some pages "
            "cannot create pages (403)."
        ),
        request=PageIn,
        responses={201: PageOut},
        tags=["Status pages"],
    )
    def post(self, request):
        if self.api_key.page_ids:
            raise InsufficientScope(
                Scope.PAGES_WRITE,
                "This API key is limited to some pages and cannot create new ones.",
            )
        body = self.validated(PageIn)
        created = services.status_page_create(
            organization=self.api_key.organization, **body.validated_data
        )
        return Response(PageOut(created, context=_page_out([created])).data, status=201)


class StatusPageDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE
    service_field_names = {"url_override": "url"}

    @extend_schema(
        operation_id="status_pages_retrieve",
        responses=PageOut,
        tags=["Status pages"],
        description="A status page with its current overall status.",
    )
    def get(self, request, page_id):
        return Response(PageOut(self.page, context=_page_out([self.page])).data)

    @extend_schema(
        operation_id="status_pages_update",
        description="Changes the fields given; the others keep their values.",
        request=PageIn(partial=True),
        responses=PageOut,
        tags=["Status pages"],
    )
    def patch(self, request, page_id):
        body = self.validated(PageIn, partial=True)
        page = services.status_page_update(page=self.page, **body.validated_data)
        return Response(PageOut(page, context=_page_out([page])).data)

    @extend_schema(
        operation_id="status_pages_destroy",
        responses={204: None},
        tags=["Status pages"],
        description=(
            "Deletes the page with its components, groups, incidents, maintenances and subscribers."
            " Its public documents answer 404 from then on."
        ),
    )
    def delete(self, request, page_id):
        services.status_page_delete(page=self.page)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StructureView(PageApiView):
    @extend_schema(
        operation_id="status_pages_structure",
        responses=StructureOut,
        tags=["Status pages"],
        description="Groups in order, each with its components in order, then the "
        "components in no group.",
    )
    def get(self, request, page_id):
        page = self.page
        groups, ungrouped, statuses = selectors.page_structure(page)
        component_ids = {g.id: [c.id for c in g.ordered_components] for g in groups}
        every = [c for g in groups for c in g.ordered_components] + list(ungrouped)
        context = {
            "statuses": statuses,
            "component_ids": component_ids,
            "audience_group_ids": selectors.audience_group_ids(every),
        }
        return Response(
            {
                "page_id": page.id,
                "groups": StructureGroupOut(groups, many=True, context=context).data,
                "ungrouped_components": ComponentOut(ungrouped, many=True, context=context).data,
            }
        )


def _component_context(components) -> dict:
    return {
        "statuses": effective_statuses(components),
        "audience_group_ids": selectors.audience_group_ids(components),
    }


def _components_out(component) -> dict:
    return ComponentOut(component, context=_component_context([component])).data


class ComponentListView(PageApiView):
    write_scope = Scope.PAGES_WRITE
    service_field_names = {"manual_status": "status", "group": "group_id"}

    @extend_schema(
        operation_id="components_list",
        description=(
            "The page's components, by `position` then id; `status` is the effective status."
        ),
        parameters=paginated_parameters(),
        responses=list_response(ComponentOut),
        tags=["Components"],
    )
    def get(self, request, page_id):
        return self.paginated(
            selectors.components_of_page(self.page),
            ComponentOut,
            ordering=("position", "id"),
            context=_component_context,
        )

    @extend_schema(
        operation_id="components_create",
        description=(
            "Adds a component. `status` sets its manual status; the effective `status` also "
            "reflects unresolved incidents and maintenances in progress."
        ),
        request=ComponentIn,
        responses={201: ComponentOut},
        tags=["Components"],
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(ComponentIn)
        component = services.component_create(page=page, **body.resolve(page))
        return Response(_components_out(component), status=201)


class ComponentDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE
    service_field_names = {"manual_status": "status", "group": "group_id"}

    @extend_schema(
        operation_id="components_retrieve",
        responses=ComponentOut,
        tags=["Components"],
        description="A component with its effective and manual status.",
    )
    def get(self, request, page_id, component_id):
        return Response(
            _components_out(selectors.component_for_key(self.api_key, page_id, component_id))
        )

    @extend_schema(
        operation_id="components_update",
        description="Changes the fields given; `status` sets the manual status.",
        request=ComponentIn(partial=True),
        responses=ComponentOut,
        tags=["Components"],
    )
    def patch(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        body = self.validated(ComponentIn, partial=True)
        component = services.component_update(component=component, **body.resolve(component.page))
        return Response(_components_out(component))

    @extend_schema(
        operation_id="components_destroy",
        responses={204: None},
        tags=["Components"],
        description="409 `conflict` while an unresolved incident or an active "
        "maintenance uses the component.",
    )
    def delete(self, request, page_id, component_id):
        component = selectors.component_for_key(self.api_key, page_id, component_id)
        try:
            services.component_delete(component=component)
        except services.ComponentInUse as exc:
            raise Conflict(str(exc), {"component_id": component.id}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def _group_context(groups) -> dict:
    return {"component_ids": selectors.group_component_ids(groups)}


def _groups_out(group) -> dict:
    return GroupOut(group, context=_group_context([group])).data


class GroupListView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="component_groups_list",
        description="The page's component groups, by `position` then id.",
        parameters=paginated_parameters(),
        responses=list_response(GroupOut),
        tags=["Component groups"],
    )
    def get(self, request, page_id):
        return self.paginated(
            selectors.groups_of_page(self.page),
            GroupOut,
            ordering=("position", "id"),
            context=_group_context,
        )

    @extend_schema(
        operation_id="component_groups_create",
        description="Adds a group; `component_ids` (in order) moves those components into it.",
        request=GroupIn,
        responses={201: GroupOut},
        tags=["Component groups"],
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(GroupIn)
        group = services.component_group_create(page=page, **body.validated_data)
        return Response(_groups_out(group), status=201)


class GroupDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="component_groups_retrieve",
        responses=GroupOut,
        tags=["Component groups"],
        description="A component group with its components' ids in order.",
    )
    def get(self, request, page_id, group_id):
        return Response(_groups_out(selectors.group_for_key(self.api_key, page_id, group_id)))

    @extend_schema(
        operation_id="component_groups_update",
        description=(
            "Changes the fields given; `component_ids` replaces the group's components (in order), "
            "the others leave the group."
        ),
        request=GroupIn(partial=True),
        responses=GroupOut,
        tags=["Component groups"],
    )
    def patch(self, request, page_id, group_id):
        group = selectors.group_for_key(self.api_key, page_id, group_id)
        body = self.validated(GroupIn, partial=True)
        group = services.component_group_update(group=group, **body.validated_data)
        return Response(_groups_out(group))

    @extend_schema(
        operation_id="component_groups_destroy",
        responses={204: None},
        tags=["Component groups"],
        description="The group's components stay on the page, ungrouped.",
    )
    def delete(self, request, page_id, group_id):
        services.component_group_delete(
            group=selectors.group_for_key(self.api_key, page_id, group_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class UpstreamComponentsView(PageApiView):
    """The "pick from this page" helper: an upstream page's components, so an operator sets
    ``upstream.component_id`` without copying ids by hand."""

    required_scopes = {"GET": Scope.PAGES_WRITE}

    @extend_schema(
        operation_id="upstream_components_list",
        tags=["Components"],
        parameters=[
            OpenApiParameter(
                "url",
                {"type": "string", "maxLength": URL_MAX_LENGTH, "pattern": r"^[\x21-\x7e]+$"},
                required=True,
                description="A Statuspage-v2 page's URL, e.g. `https://www.githubstatus.com` "
                "(normalised as `upstream.url` is; a pasted `.../api/v2/summary.json` names the "
                "same page).",
            )
        ],
        responses={200: UpstreamPageOut},
        description=(
            "Reads the page's `summary.json` (through the outbound rules: a URL whose host is "
            "not public is a 400) and lists its components (groups included, `group: true`) "
            "in the page's order, with the ids to put in a component's `upstream`. Each "
            "distinct upstream URL is fetched at most once a minute, by this helper and the "
            "poller together: within the minute the answer is the last reading (`read_at`). "
            "A page that cannot be read (no answer within the timeout, an HTTP error, not a "
            "Statuspage summary) and was never read is a 400 `validation_error` on `url` "
            "saying why; one read before answers with that reading and `error`. Needs "
            "`pages:write`: it is the helper of a component write and makes outbound requests."
        ),
    )
    def get(self, request, page_id):
        self.page  # noqa: B018 - the key must see the page: 404 otherwise
        given = request.query_params.get("url")
        if not given:
            raise ValidationError({"url": ["This query parameter is required."]})
        url = upstream_url_checked(given, field="url")
        try:
            upstream = upstream_page_read(url)
        except UpstreamUnavailable as exc:
            raise ValidationError({"url": [str(exc)]}) from exc
        return Response(UpstreamPageOut(upstream).data)
