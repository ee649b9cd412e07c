"""Thin HTTP layer for incidents and their updates."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from incidents import selectors, services
from incidents.models import IncidentStatus
from pagetemplates.serializers import TemplatedInput
from statuspages.api_base import PageApiView
from statuspages.fields import MessageField
from statuspages.models import ComponentStatus, Impact
from statuspages.serializers import AUDIENCE_GROUP_IDS

TAGS = ["Incidents"]

# ---- output ---------------------------------------------------------------------------------


class IncidentComponentOut(serializers.Serializer):
    component_id = serializers.CharField()
    name = serializers.CharField(source="component.name")
    status = serializers.ChoiceField(
        choices=ComponentStatus.choices,
        help_text="The status this incident gives the component (operational once resolved).",
    )


class UpdateComponentOut(serializers.Serializer):
    component_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=ComponentStatus.choices, help_text="The status this update set within the incident."
    )
    old_status = serializers.ChoiceField(
        choices=ComponentStatus.choices, help_text="Effective status before the update."
    )
    new_status = serializers.ChoiceField(
        choices=ComponentStatus.choices, help_text="Effective status after the update."
    )


class IncidentUpdateOut(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    message = serializers.CharField()
    component_statuses = UpdateComponentOut(many=True)
    notify_subscribers = serializers.BooleanField()
    created_at = TimestampField()


class IncidentOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    impact = serializers.ChoiceField(
        choices=Impact.choices,
        help_text="`impact_override` if set, else from the worst status the incident gives its "
        "components (degraded → minor, partial → major, major outage → critical). A resolved "
        "incident keeps the impact it had when it was resolved.",
    )
    impact_override = serializers.ChoiceField(choices=Impact.choices, allow_null=True)
    shortlink = serializers.CharField()
    started_at = TimestampField()
    created_at = TimestampField()
    updated_at = TimestampField()
    monitoring_at = TimestampField(allow_null=True)
    resolved_at = TimestampField(allow_null=True)
    postmortem = serializers.CharField(help_text="Markdown; empty until one is written.")
    components = IncidentComponentOut(source="component_links", many=True)
    updates = IncidentUpdateOut(many=True, help_text="Newest first.")
    audience_group_ids = serializers.SerializerMethodField()

    def get_audience_group_ids(self, incident) -> list[str]:
        return [group.id for group in incident.audience_groups.all()]


# ---- input ----------------------------------------------------------------------------------


class ComponentStatusIn(StrictInputSerializer):
    component_id = serializers.CharField(max_length=64)
    status = serializers.ChoiceField(choices=ComponentStatus.choices)


class IncidentIn(TemplatedInput):
    name = serializers.CharField(
        max_length=255, required=False, help_text="Required unless a template gives it."
    )
    status = serializers.ChoiceField(
        choices=IncidentStatus.choices, default=IncidentStatus.INVESTIGATING
    )
    message = MessageField(default="", help_text="Becomes the first update.")
    component_statuses = ComponentStatusIn(many=True, required=False, max_length=1000)
    impact_override = serializers.ChoiceField(
        choices=Impact.choices, required=False, allow_null=True
    )
    notify_subscribers = serializers.BooleanField(default=True)
    started_at = TimestampField(required=False, help_text="Default: now.")
    audience_group_ids = AUDIENCE_GROUP_IDS
    idempotency_key = serializers.CharField(
        max_length=255,
        required=False,
        help_text="Required unless sent as the `Idempotency-Key` header.",
    )


class IncidentUpdateIn(TemplatedInput):
    status = serializers.ChoiceField(
        choices=IncidentStatus.choices,
        required=False,
        help_text="Required unless a template gives it.",
    )
    message = MessageField(default="")
    component_statuses = ComponentStatusIn(
        many=True,
        required=False,
        max_length=1000,
        help_text="Merged into the incident's; not allowed with status `resolved`.",
    )
    notify_subscribers = serializers.BooleanField(default=True)


class IncidentPatchIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255, required=False)
    impact_override = serializers.ChoiceField(
        choices=Impact.choices, required=False, allow_null=True
    )
    postmortem = serializers.CharField(
        max_length=100_000,
        required=False,
        allow_blank=True,
        help_text="Markdown; only once the incident is resolved.",
    )
    audience_group_ids = AUDIENCE_GROUP_IDS


# ---- views ----------------------------------------------------------------------------------


def _incident_out(incident) -> dict:
    return IncidentOut(selectors.incidents_with_details([incident])[0]).data


class IncidentListView(PageApiView):
    write_scope = Scope.INCIDENTS_WRITE
    idempotency_required = True

    @extend_schema(
        operation_id="incidents_list",
        tags=TAGS,
        responses=list_response(IncidentOut),
        parameters=paginated_parameters(
            OpenApiParameter(
                "status",
                str,
                enum=list(dict.fromkeys(selectors.STATUS_FILTERS)),
                description="`unresolved`, `resolved` or one incident status.",
            )
        ),
        description="Newest first.",
    )
    def get(self, request, page_id):
        incidents = selectors.incidents_for_page(
            self.page, status=request.query_params.get("status")
        )
        return self.paginated(
            incidents,
            IncidentOut,
            ordering=("-created_at", "-id"),
            details=selectors.incidents_with_details,
        )

    @extend_schema(
        operation_id="incidents_create",
        tags=TAGS,
        request=IncidentIn,
        responses={201: IncidentOut},
        description="Opens an incident; `message` becomes its first update. An idempotency key "
        "is required (header or body): a retry returns the first response and never opens a "
        "second incident or sends a second notification.",
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(IncidentIn)
        incident = services.incident_create(page=page, **body.service_arguments())
        return Response(_incident_out(incident), status=status.HTTP_201_CREATED)


class IncidentDetailView(PageApiView):
    write_scope = Scope.INCIDENTS_WRITE

    @extend_schema(
        operation_id="incidents_retrieve",
        tags=TAGS,
        responses=IncidentOut,
        description="An incident with its derived impact, its components' statuses in this "
        "incident and its updates, newest first.",
    )
    def get(self, request, page_id, incident_id):
        return Response(_incident_out(selectors.incident_for_page(self.page, incident_id)))

    @extend_schema(
        operation_id="incidents_update",
        tags=TAGS,
        request=IncidentPatchIn,
        responses=IncidentOut,
        description="Changes `name`, `impact_override` or `postmortem`. Status "
        "changes are published as updates (`POST .../updates`).",
    )
    def patch(self, request, page_id, incident_id):
        incident = selectors.incident_for_page(self.page, incident_id)
        body = self.validated(IncidentPatchIn)
        incident = services.incident_change(incident=incident, **body.validated_data)
        return Response(_incident_out(incident))

    @extend_schema(
        operation_id="incidents_destroy",
        tags=TAGS,
        responses={204: None},
        description="Deletes the incident and what it did to its components.",
    )
    def delete(self, request, page_id, incident_id):
        incident = selectors.incident_for_page(self.page, incident_id)
        services.incident_delete(incident=incident)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IncidentUpdateListView(PageApiView):
    write_scope = Scope.INCIDENTS_WRITE

    @extend_schema(
        operation_id="incident_updates_list",
        tags=TAGS,
        parameters=paginated_parameters(),
        responses=list_response(IncidentUpdateOut),
        description="Newest first.",
    )
    def get(self, request, page_id, incident_id):
        incident = selectors.incident_for_page(self.page, incident_id)
        return self.paginated(
            incident.updates.all(), IncidentUpdateOut, ordering=("-created_at", "-id")
        )

    @extend_schema(
        operation_id="incident_updates_create",
        tags=TAGS,
        request=IncidentUpdateIn,
        responses={201: IncidentUpdateOut},
        description="Publishes an update: sets the incident's status, merges "
        "`component_statuses`, notifies subscribers unless `notify_subscribers` is false. "
        "Status `resolved` resets this incident's components to operational (other incidents "
        "keep theirs); a resolved incident can be reopened. Returns the new update; "
        "`GET` the incident for its derived impact and components.",
    )
    def post(self, request, page_id, incident_id):
        incident = selectors.incident_for_page(self.page, incident_id)
        body = self.validated(IncidentUpdateIn)
        update = services.incident_update_publish(incident=incident, **body.service_arguments())
        return Response(IncidentUpdateOut(update).data, status=status.HTTP_201_CREATED)
