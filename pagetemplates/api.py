"""Thin HTTP layer for incident and maintenance templates."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from pagetemplates import services
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from pagetemplates.selectors import template_for_page
from pagetemplates.statuses import status_choices
from statuspages.api_base import PageApiView
from statuspages.fields import MessageField
from statuspages.models import ComponentStatus

TAGS = ["Templates"]
PLACEHOLDERS_HELP = (
    "May hold `{{ name }}` placeholders: `{{ component_names }}`, `{{ started_at }}` and the "
    "`template_values` given when publishing."
)


class TemplateComponentStatus(StrictInputSerializer):
    component_id = serializers.CharField(max_length=64)
    status = serializers.ChoiceField(choices=ComponentStatus.choices)


class _StatusField(serializers.ChoiceField):
    """The statuses of the kind's own enum (registered by incidents or maintenances)."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(choices=["", *(value for value, _ in status_choices(kind))], **kwargs)


class IncidentTemplateOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField(help_text=f"The incident name. {PLACEHOLDERS_HELP}")
    message = serializers.CharField(help_text=PLACEHOLDERS_HELP)

    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = _StatusField("incident", help_text="Default status; empty: none.")
        fields["component_statuses"] = TemplateComponentStatus(many=True)
        fields["notify_subscribers"] = serializers.BooleanField()
        fields["created_at"] = TimestampField()
        fields["updated_at"] = TimestampField()
        return fields


class MaintenanceTemplateOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField(help_text=f"The maintenance name. {PLACEHOLDERS_HELP}")
    message = serializers.CharField(help_text=PLACEHOLDERS_HELP)

    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = _StatusField("maintenance", help_text="Default status; empty: none.")
        fields["component_ids"] = serializers.ListField(child=serializers.CharField())
        fields["notify_subscribers"] = serializers.BooleanField()
        fields["created_at"] = TimestampField()
        fields["updated_at"] = TimestampField()
        return fields


class IncidentTemplateIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    message = MessageField()
    component_statuses = TemplateComponentStatus(many=True, required=False, max_length=1000)
    notify_subscribers = serializers.BooleanField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = _StatusField("incident", required=False)
        return fields


class MaintenanceTemplateIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    message = MessageField()
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )
    notify_subscribers = serializers.BooleanField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = _StatusField("maintenance", required=False)
        return fields


class IncidentTemplatePatchIn(IncidentTemplateIn):
    name = serializers.CharField(max_length=255, required=False)


class MaintenanceTemplatePatchIn(MaintenanceTemplateIn):
    name = serializers.CharField(max_length=255, required=False)


def _input(serializer_class, request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    if "component_statuses" in data:
        data["component_statuses"] = [dict(entry) for entry in data["component_statuses"]]
    return data


class _Kind:
    """What differs between the two kinds of template."""

    def __init__(self, model, name, out, create_in, patch_in):
        self.model, self.name, self.out = model, name, out
        self.create_in, self.patch_in = create_in, patch_in


INCIDENT = _Kind(
    IncidentTemplate,
    "incident",
    IncidentTemplateOut,
    IncidentTemplateIn,
    IncidentTemplatePatchIn,
)
MAINTENANCE = _Kind(
    MaintenanceTemplate,
    "maintenance",
    MaintenanceTemplateOut,
    MaintenanceTemplateIn,
    MaintenanceTemplatePatchIn,
)


def _list_view(kind: _Kind):
    class TemplateListView(PageApiView):
        write_scope = Scope.INCIDENTS_WRITE

        @extend_schema(
            operation_id=f"{kind.name}_templates_list",
            tags=TAGS,
            parameters=paginated_parameters(),
            responses=list_response(kind.out),
            description="By name.",
        )
        def get(self, request, page_id):
            return self.paginated(
                kind.model.objects.filter(page=self.page), kind.out, ordering=("name", "id")
            )

        @extend_schema(
            operation_id=f"{kind.name}_templates_create",
            tags=TAGS,
            request=kind.create_in,
            responses={201: kind.out},
            description=f"A template for publishing {kind.name}s in one call "
            f"(`template_id` on create and update). {PLACEHOLDERS_HELP}",
        )
        def post(self, request, page_id):
            page = self.page
            template = services.template_create(
                model=kind.model, page=page, **_input(kind.create_in, request)
            )
            return Response(kind.out(template).data, status=status.HTTP_201_CREATED)

    TemplateListView.__name__ = f"{kind.model.__name__}ListView"
    return TemplateListView


def _detail_view(kind: _Kind):
    class TemplateDetailView(PageApiView):
        write_scope = Scope.INCIDENTS_WRITE

        @extend_schema(
            operation_id=f"{kind.name}_templates_retrieve", tags=TAGS, responses=kind.out
        )
        def get(self, request, page_id, template_id):
            template = template_for_page(kind.model, self.page, template_id)
            return Response(kind.out(template).data)

        @extend_schema(
            operation_id=f"{kind.name}_templates_update",
            tags=TAGS,
            request=kind.patch_in,
            responses=kind.out,
        )
        def patch(self, request, page_id, template_id):
            template = template_for_page(kind.model, self.page, template_id)
            template = services.template_update(template=template, **_input(kind.patch_in, request))
            return Response(kind.out(template).data)

        @extend_schema(
            operation_id=f"{kind.name}_templates_destroy", tags=TAGS, responses={204: None}
        )
        def delete(self, request, page_id, template_id):
            template = template_for_page(kind.model, self.page, template_id)
            services.template_delete(template=template)
            return Response(status=status.HTTP_204_NO_CONTENT)

    TemplateDetailView.__name__ = f"{kind.model.__name__}DetailView"
    return TemplateDetailView


IncidentTemplateListView = _list_view(INCIDENT)
IncidentTemplateDetailView = _detail_view(INCIDENT)
MaintenanceTemplateListView = _list_view(MAINTENANCE)
MaintenanceTemplateDetailView = _detail_view(MAINTENANCE)
