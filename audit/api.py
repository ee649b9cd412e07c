"""``GET /api/v1/audit-events``: the organization's activity log, newest first."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from audit.models import AUDIT_READ_SCOPE, ActorType
from audit.selectors import audit_events_for
from core.api import ApiView
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField


class ActorOut(serializers.Serializer):
    type = serializers.ChoiceField(source="actor_type", choices=ActorType.choices)
    id = serializers.CharField(source="actor_id")
    name = serializers.CharField(source="actor_name")


class AuditObjectOut(serializers.Serializer):
    type = serializers.CharField(source="object_type")
    id = serializers.CharField(source="object_id")


class AuditEventOut(serializers.Serializer):
    id = serializers.CharField()
    occurred_at = TimestampField()
    actor = ActorOut(source="*")
    action = serializers.CharField(
        help_text="`<object type>.created|updated|deleted`, or what was done to the object "
        "(`status_page.subscribers_imported`: a subscriber CSV import, whose `changes` say "
        "how many were created and skipped, how many lines refused, and whether the caller "
        "attested `confirmed` rows)."
    )
    object = AuditObjectOut(source="*")
    changes = serializers.DictField(
        child=serializers.ListField(min_length=2, max_length=2, allow_null=True),
        help_text="Field → `[old, new]`. Secrets never appear (shown as `[secret]`).",
    )
    request_id = serializers.CharField(allow_blank=True)
    client_ip = serializers.IPAddressField(allow_null=True)


class AuditFiltersIn(StrictInputSerializer):
    actor = serializers.CharField(required=False, max_length=64)
    object_id = serializers.CharField(required=False, max_length=64)
    action = serializers.CharField(required=False, max_length=64)
    since = TimestampField(required=False)
    until = TimestampField(required=False)


class AuditEventListView(ApiView):
    required_scopes = {"GET": AUDIT_READ_SCOPE}

    @extend_schema(
        operation_id="audit_events_list",
        tags=["Activity log"],
        parameters=paginated_parameters(
            OpenApiParameter("actor", str, description="An actor id, or an actor type."),
            OpenApiParameter("object_id", str),
            OpenApiParameter("action", str, description="e.g. `incident.created`."),
            OpenApiParameter(
                "since", {"type": "string", "format": "date-time"}, description="Inclusive."
            ),
            OpenApiParameter(
                "until", {"type": "string", "format": "date-time"}, description="Exclusive."
            ),
        ),
        responses=list_response(AuditEventOut),
        description="Every write (API, admin, integrations, periodic tasks), newest first: "
        "who made it, to what, which fields changed, from where. A key limited to some pages "
        "reads those pages' events.",
    )
    def get(self, request):
        params = request.query_params
        filters = AuditFiltersIn(
            data={name: params[name] for name in AuditFiltersIn().fields if name in params}
        )
        filters.is_valid(raise_exception=True)
        events = audit_events_for(
            organization_id=self.api_key.organization_id,
            page_ids=self.api_key.page_ids,
            **filters.validated_data,
        )
        return self.paginated(events, AuditEventOut, ordering=("-occurred_at", "-id"))
