"""Thin HTTP layer for maintenance windows and their updates."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from maintenances import selectors, services
from maintenances.models import MaintenanceStatus
from pagetemplates.serializers import TemplatedInput
from statuspages.api_base import PageApiView
from statuspages.fields import MessageField
from statuspages.models import ComponentStatus
from statuspages.serializers import AUDIENCE_GROUP_IDS

TAGS = ["Maintenances"]


class MaintenanceComponentOut(serializers.Serializer):
    component_id = serializers.CharField(source="id")
    name = serializers.CharField()


class MaintenanceUpdateComponentOut(serializers.Serializer):
    component_id = serializers.CharField()
    name = serializers.CharField()
    old_status = serializers.ChoiceField(choices=ComponentStatus.choices)
    new_status = serializers.ChoiceField(choices=ComponentStatus.choices)


class MaintenanceUpdateOut(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=MaintenanceStatus.choices)
    message = serializers.CharField()
    component_statuses = MaintenanceUpdateComponentOut(
        many=True, help_text="The window's components' effective statuses before and after."
    )
    notify_subscribers = serializers.BooleanField()
    created_at = TimestampField()


class MaintenanceOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=MaintenanceStatus.choices)
    start_at = TimestampField()
    end_at = TimestampField()
    auto_transition = serializers.BooleanField()
    components = MaintenanceComponentOut(many=True)
    updates = MaintenanceUpdateOut(many=True, help_text="Newest first.")
    created_at = TimestampField()
    updated_at = TimestampField()
    started_at = TimestampField(allow_null=True)
    completed_at = TimestampField(allow_null=True)
    audience_group_ids = serializers.SerializerMethodField()

    def get_audience_group_ids(self, maintenance) -> list[str]:
        return [group.id for group in maintenance.audience_groups.all()]


class MaintenanceIn(TemplatedInput):
    name = serializers.CharField(
        max_length=255, required=False, help_text="Required unless a template gives it."
    )
    message = MessageField(default="", help_text="Becomes the first update.")
    start_at = TimestampField()
    end_at = TimestampField(help_text="After `start_at`.")
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )
    status = serializers.ChoiceField(
        choices=MaintenanceStatus.choices, default=MaintenanceStatus.SCHEDULED
    )
    auto_transition = serializers.BooleanField(
        default=True,
        help_text="Start at `start_at` and complete at `end_at`, each with a published update "
        "(checked every 30 seconds). A window created already due starts at once.",
    )
    notify_subscribers = serializers.BooleanField(default=True)
    audience_group_ids = AUDIENCE_GROUP_IDS
    idempotency_key = serializers.CharField(
        max_length=255,
        required=False,
        help_text="Required unless sent as the `Idempotency-Key` header.",
    )


class MaintenancePatchIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255, required=False)
    start_at = TimestampField(required=False)
    end_at = TimestampField(required=False)
    auto_transition = serializers.BooleanField(required=False)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )
    audience_group_ids = AUDIENCE_GROUP_IDS


class MaintenanceUpdateIn(TemplatedInput):
    status = serializers.ChoiceField(
        choices=MaintenanceStatus.choices,
        required=False,
        help_text="Required unless a template gives it.",
    )
    message = MessageField(default="")
    notify_subscribers = serializers.BooleanField(default=True)


def _maintenance_out(maintenance) -> dict:
    return MaintenanceOut(selectors.maintenances_with_details([maintenance])[0]).data


class MaintenanceListView(PageApiView):
    write_scope = Scope.INCIDENTS_WRITE
    idempotency_required = True

    @extend_schema(
        operation_id="maintenances_list",
        tags=TAGS,
        responses=list_response(MaintenanceOut),
        parameters=paginated_parameters(
            OpenApiParameter("status", str, enum=MaintenanceStatus.values)
        ),
        description="Latest `start_at` first.",
    )
    def get(self, request, page_id):
        maintenances = selectors.maintenances_for_page(
            self.page, status=request.query_params.get("status")
        )
        return self.paginated(
            maintenances,
            MaintenanceOut,
            ordering=("-start_at", "-id"),
            details=selectors.maintenances_with_details,
        )

    @extend_schema(
        operation_id="maintenances_create",
        tags=TAGS,
        request=MaintenanceIn,
        responses={201: MaintenanceOut},
        description="Schedules a maintenance window. An idempotency key is required "
        "(header or body).",
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(MaintenanceIn)
        maintenance = services.maintenance_create(page=page, **body.service_arguments())
        return Response(_maintenance_out(maintenance), status=status.HTTP_201_CREATED)


class MaintenanceDetailView(PageApiView):
    write_scope = Scope.INCIDENTS_WRITE

    def _maintenance(self, page_id, maintenance_id):
        return selectors.maintenance_for_page(self.page, maintenance_id)

    @extend_schema(
        operation_id="maintenances_retrieve",
        tags=TAGS,
        responses=MaintenanceOut,
        description="A maintenance with its components and its updates, newest first.",
    )
    def get(self, request, page_id, maintenance_id):
        return Response(_maintenance_out(self._maintenance(page_id, maintenance_id)))

    @extend_schema(
        operation_id="maintenances_update",
        tags=TAGS,
        request=MaintenancePatchIn,
        responses=MaintenanceOut,
        description="Changes the window, its name, components or `auto_transition`. "
        "Status changes are published as updates (`POST .../updates`).",
    )
    def patch(self, request, page_id, maintenance_id):
        maintenance = self._maintenance(page_id, maintenance_id)
        body = self.validated(MaintenancePatchIn)
        maintenance = services.maintenance_change(maintenance=maintenance, **body.validated_data)
        return Response(_maintenance_out(maintenance))

    @extend_schema(
        operation_id="maintenances_destroy",
        tags=TAGS,
        responses={204: None},
        description="Deletes the maintenance; its components no longer show it.",
    )
    def delete(self, request, page_id, maintenance_id):
        services.maintenance_delete(maintenance=self._maintenance(page_id, maintenance_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaintenanceUpdateListView(PageApiView):
    write_scope = Scope.INCIDENTS_WRITE

    @extend_schema(
        operation_id="maintenance_updates_list",
        tags=TAGS,
        parameters=paginated_parameters(),
        responses=list_response(MaintenanceUpdateOut),
        description="Newest first.",
    )
    def get(self, request, page_id, maintenance_id):
        maintenance = selectors.maintenance_for_page(self.page, maintenance_id)
        return self.paginated(
            maintenance.updates.all(), MaintenanceUpdateOut, ordering=("-created_at", "-id")
        )

    @extend_schema(
        operation_id="maintenance_updates_create",
        tags=TAGS,
        request=MaintenanceUpdateIn,
        responses={201: MaintenanceUpdateOut},
        description="Publishes an update and moves the window to its `status` "
        "(`in_progress`/`verifying` put its components under maintenance, "
        "`completed` ends it).",
    )
    def post(self, request, page_id, maintenance_id):
        page = self.page
        maintenance = selectors.maintenance_for_page(page, maintenance_id)
        body = self.validated(MaintenanceUpdateIn)
        update = services.maintenance_update_publish(
            maintenance=maintenance, **body.service_arguments()
        )
        return Response(MaintenanceUpdateOut(update).data, status=status.HTTP_201_CREATED)
