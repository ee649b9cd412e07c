"""Thin HTTP layer for pages, groups, components and structure."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.api import ApiView
from core.errors import Conflict, InsufficientScope
from core.pagination import paginate
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField, django_validator
from core.validators import SLUG_VALIDATOR, validate_hostname, validate_time_zone, validate_url
from statuspages import selectors, services
from statuspages.models import Component, ComponentGroup, ComponentStatus
from statuspages.status import effective_statuses

# ---- output ---------------------------------------------------------------------------------


class PageStatusOut(serializers.Serializer):
    indicator = serializers.ChoiceField(
        choices=["none", "minor", "major", "critical", "maintenance"]
    )
    description = serializers.CharField()


class PageOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField(source="public_url")
    time_zone = serializers.CharField()
    custom_domain = serializers.CharField(allow_null=True)
    status = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    @extend_schema_field(PageStatusOut)
    def get_status(self, page) -> dict:
        return self.context["page_statuses"][page.id]


class ComponentOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    group_id = serializers.CharField(allow_null=True)
    position = serializers.IntegerField()
    status = serializers.SerializerMethodField()
    manual_status = serializers.ChoiceField(choices=ComponentStatus.choices)
    only_show_if_degraded = serializers.BooleanField()
    showcase = serializers.BooleanField()
    start_date = serializers.DateField(allow_null=True)
    created_at = TimestampField()
    updated_at = TimestampField()

    @extend_schema_field(serializers.ChoiceField(choices=ComponentStatus.choices))
    def get_status(self, component) -> str:
        return self.context["statuses"][component.id]


class GroupOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    component_ids = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_component_ids(self, group) -> list[str]:
        return self.context["component_ids"].get(group.id, [])


class StructureGroupOut(GroupOut):
    components = serializers.SerializerMethodField()

    @extend_schema_field(ComponentOut(many=True))
    def get_components(self, group) -> list:
        return ComponentOut(group.ordered_components, many=True, context=self.context).data


class StructureOut(serializers.Serializer):
    page_id = serializers.CharField()
    groups = StructureGroupOut(many=True)
    ungrouped_components = ComponentOut(many=True)


# ---- input ----------------------------------------------------------------------------------


class PageIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    slug = serializers.CharField(max_length=64, validators=[django_validator(SLUG_VALIDATOR)])
    url = serializers.CharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        allow_null=True,
        validators=[django_validator(validate_url)],
        help_text="Where the page is published; default: its address on this service.",
    )
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        default="UTC",
        validators=[django_validator(validate_time_zone)],
    )
    custom_domain = serializers.CharField(
        max_length=253,
        required=False,
        allow_null=True,
        allow_blank=True,
        validators=[django_validator(validate_hostname)],
    )

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("custom_domain"), str):
            data = {**data, "custom_domain": data["custom_domain"].strip().lower() or None}
        value = super().to_internal_value(data)
        if "url" in value:
            value["url_override"] = value.pop("url") or ""
        return value


class GroupIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=1000,
        help_text="The group's components in order; others leave the group.",
    )


class ComponentIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    group_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    status = serializers.ChoiceField(
        choices=ComponentStatus.choices,
        required=False,
        help_text="Sets `manual_status`; the effective `status` also reflects incidents.",
    )
    only_show_if_degraded = serializers.BooleanField(required=False)
    showcase = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)

    def resolve(self, page) -> dict:
        """Validated data in service terms: ``group`` and ``manual_status``."""
        data = dict(self.validated_data)
        if "status" in data:
            data["manual_status"] = data.pop("status")
        if "group_id" in data:
            group_id = data.pop("group_id")
            data["group"] = None
            if group_id:
                data["group"] = ComponentGroup.objects.filter(page=page, id=group_id).first()
                if data["group"] is None:
                    raise serializers.ValidationError({"group_id": ["No such group on this page."]})
        return data


# ---- views ----------------------------------------------------------------------------------


def _page_out(pages) -> dict:
    return {"page_statuses": selectors.page_status_map(pages)}


class StatusPageListView(ApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="status_pages_list",
        parameters=paginated_parameters(),
        responses=list_response(PageOut),
        tags=["Status pages"],
    )
    def get(self, request):
        page = paginate(
            selectors.pages_for_key(self.api_key), request.query_params, ordering=("id",)
        )
        data = PageOut(page.items, many=True, context=_page_out(page.items)).data
        return Response(page.envelope(data))

    @extend_schema(
        operation_id="status_pages_create",
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
        body = PageIn(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.status_page_create(
            organization=self.api_key.organization, **body.validated_data
        )
        return Response(PageOut(created, context=_page_out([created])).data, status=201)


class StatusPageDetailView(ApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(operation_id="status_pages_retrieve", responses=PageOut, tags=["Status pages"])
    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        return Response(PageOut(page, context=_page_out([page])).data)

    @extend_schema(
        operation_id="status_pages_update",
        request=PageIn(partial=True),
        responses=PageOut,
        tags=["Status pages"],
    )
    def patch(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        body = PageIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        page = services.status_page_update(page=page, **body.validated_data)
        return Response(PageOut(page, context=_page_out([page])).data)

    @extend_schema(
        operation_id="status_pages_destroy", responses={204: None}, tags=["Status pages"]
    )
    def delete(self, request, page_id):
        services.status_page_delete(page=selectors.page_for_key(self.api_key, page_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StructureView(ApiView):
    @extend_schema(
        operation_id="status_pages_structure",
        responses=StructureOut,
        tags=["Status pages"],
        description="Groups in order, each with its components in order, then the "
        "components in no group.",
    )
    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        groups, ungrouped, statuses = selectors.page_structure(page)
        component_ids = {g.id: [c.id for c in g.ordered_components] for g in groups}
        context = {"statuses": statuses, "component_ids": component_ids}
        return Response(
            {
                "page_id": page.id,
                "groups": StructureGroupOut(groups, many=True, context=context).data,
                "ungrouped_components": ComponentOut(ungrouped, many=True, context=context).data,
            }
        )


def _component(api_key, page_id, component_id) -> Component:
    page = selectors.page_for_key(api_key, page_id)
    component = Component.objects.filter(page=page, id=component_id).select_related("page").first()
    if component is None:
        raise Http404("Component not found.")
    return component


def _components_out(components, many=False):
    items = components if many else [components]
    return ComponentOut(components, many=many, context={"statuses": effective_statuses(items)}).data


class ComponentListView(ApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="components_list",
        parameters=paginated_parameters(),
        responses=list_response(ComponentOut),
        tags=["Components"],
    )
    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        result = paginate(
            Component.objects.filter(page=page), request.query_params, ordering=("position", "id")
        )
        return Response(result.envelope(_components_out(result.items, many=True)))

    @extend_schema(
        operation_id="components_create",
        request=ComponentIn,
        responses={201: ComponentOut},
        tags=["Components"],
    )
    def post(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        body = ComponentIn(data=request.data)
        body.is_valid(raise_exception=True)
        component = services.component_create(page=page, **body.resolve(page))
        return Response(_components_out(component), status=201)


class ComponentDetailView(ApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(operation_id="components_retrieve", responses=ComponentOut, tags=["Components"])
    def get(self, request, page_id, component_id):
        return Response(_components_out(_component(self.api_key, page_id, component_id)))

    @extend_schema(
        operation_id="components_update",
        request=ComponentIn(partial=True),
        responses=ComponentOut,
        tags=["Components"],
    )
    def patch(self, request, page_id, component_id):
        component = _component(self.api_key, page_id, component_id)
        body = ComponentIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
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
        component = _component(self.api_key, page_id, component_id)
        try:
            services.component_delete(component=component)
        except services.ComponentInUse as exc:
            raise Conflict(str(exc), {"component_id": component.id}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def _group(api_key, page_id, group_id) -> ComponentGroup:
    page = selectors.page_for_key(api_key, page_id)
    group = ComponentGroup.objects.filter(page=page, id=group_id).first()
    if group is None:
        raise Http404("Component group not found.")
    return group


def _groups_out(groups, many=False):
    items = groups if many else [groups]
    context = {"component_ids": selectors.group_component_ids(items)}
    return GroupOut(groups, many=many, context=context).data


class GroupListView(ApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="component_groups_list",
        parameters=paginated_parameters(),
        responses=list_response(GroupOut),
        tags=["Component groups"],
    )
    def get(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        result = paginate(
            ComponentGroup.objects.filter(page=page),
            request.query_params,
            ordering=("position", "id"),
        )
        return Response(result.envelope(_groups_out(result.items, many=True)))

    @extend_schema(
        operation_id="component_groups_create",
        request=GroupIn,
        responses={201: GroupOut},
        tags=["Component groups"],
    )
    def post(self, request, page_id):
        page = selectors.page_for_key(self.api_key, page_id)
        body = GroupIn(data=request.data)
        body.is_valid(raise_exception=True)
        group = services.component_group_create(page=page, **body.validated_data)
        return Response(_groups_out(group), status=201)


class GroupDetailView(ApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="component_groups_retrieve", responses=GroupOut, tags=["Component groups"]
    )
    def get(self, request, page_id, group_id):
        return Response(_groups_out(_group(self.api_key, page_id, group_id)))

    @extend_schema(
        operation_id="component_groups_update",
        request=GroupIn(partial=True),
        responses=GroupOut,
        tags=["Component groups"],
    )
    def patch(self, request, page_id, group_id):
        group = _group(self.api_key, page_id, group_id)
        body = GroupIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        group = services.component_group_update(group=group, **body.validated_data)
        return Response(_groups_out(group))

    @extend_schema(
        operation_id="component_groups_destroy",
        responses={204: None},
        tags=["Component groups"],
        description="The group's components stay on the page, ungrouped.",
    )
    def delete(self, request, page_id, group_id):
        services.component_group_delete(group=_group(self.api_key, page_id, group_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
