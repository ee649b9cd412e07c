"""Management endpoints for notifications: events (how far each publish has got) and
deliveries (what was sent to whom, and how it went). Personal data: the subscribers scopes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Scope
from core.schema import list_response, paginated_parameters
from core.serializers import TimestampField, rfc3339
from notifications.models import DeliveryStatus, EventKind
from notifications.selectors import (
    deliveries_for_page,
    delivery_progress,
    event_for_page,
    events_for_page,
)
from statuspages.api_base import PageApiView

READ = Scope.SUBSCRIBERS_READ.value


class DeliveryOut(serializers.Serializer):
    id = serializers.CharField()
    subscriber_id = serializers.CharField()
    incident_id = serializers.CharField(allow_null=True)
    maintenance_id = serializers.CharField(allow_null=True)
    event = serializers.ChoiceField(source="kind", choices=EventKind.choices)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField(allow_null=True)
    response_code = serializers.IntegerField(allow_null=True)
    created_at = TimestampField()
    sent_at = TimestampField(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["last_error"] = data["last_error"] or None
        return data


class DeliveryListView(PageApiView):
    required_scopes = {"GET": READ}

    @extend_schema(
        operation_id="deliveries_list",
        tags=["Deliveries"],
        parameters=paginated_parameters(
            OpenApiParameter("subscriber_id", str),
            OpenApiParameter("incident_id", str),
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
        ),
        responses=list_response(DeliveryOut),
        description="Newest first. One delivery per (event, subscriber), with its "
        "attempts, last error and the receiver's last response code.",
    )
    def get(self, request, page_id):
        params = request.query_params
        deliveries = deliveries_for_page(
            self.page,
            subscriber_id=params.get("subscriber_id"),
            incident_id=params.get("incident_id"),
            status=params.get("status"),
        )
        return self.paginated(deliveries, DeliveryOut, ordering=("-id",))


class DeliveryCountsOut(serializers.Serializer):
    pending = serializers.IntegerField()
    sending = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    total = serializers.IntegerField()


class NotificationEventOut(serializers.Serializer):
    id = serializers.CharField()
    event = serializers.ChoiceField(source="kind", choices=EventKind.choices)
    incident_id = serializers.CharField(allow_null=True)
    maintenance_id = serializers.CharField(allow_null=True)
    fan_out = serializers.ChoiceField(
        source="state",
        choices=["pending", "fanned_out"],
        help_text="`fanned_out` once every subscriber's delivery exists.",
    )
    created_at = TimestampField(help_text="When it was published.")
    deliveries = serializers.SerializerMethodField()
    last_sent_at = serializers.SerializerMethodField(
        help_text="When the latest delivery was sent (RFC 3339), or null."
    )
    delivered_in_seconds = serializers.SerializerMethodField(
        help_text="From the publish to the last delivery sent, once nothing is left to send; "
        "null while deliveries are pending or sending."
    )

    @extend_schema_field(DeliveryCountsOut)
    def get_deliveries(self, event) -> dict:
        progress = self.context["progress"][event.id]
        return {**progress.counts, "total": progress.total}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_last_sent_at(self, event) -> str | None:
        return rfc3339(self.context["progress"][event.id].last_sent_at)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_delivered_in_seconds(self, event) -> float | None:
        delivered_in = self.context["progress"][event.id].delivered_in
        return None if delivered_in is None else round(delivered_in, 3)


def _progress(events) -> dict:
    return {"progress": delivery_progress(events)}


class NotificationEventListView(PageApiView):
    required_scopes = {"GET": READ}

    @extend_schema(
        operation_id="notification_events_list",
        tags=["Deliveries"],
        parameters=paginated_parameters(
            OpenApiParameter("incident_id", str, description="Only this incident's events."),
            OpenApiParameter("maintenance_id", str, description="Only this maintenance's."),
        ),
        responses=list_response(NotificationEventOut),
        description="Newest first. Every publish that notified subscribers, with how many of "
        "its deliveries are pending, sending, sent, failed or skipped, and how long the last "
        "one took to go out.",
    )
    def get(self, request, page_id):
        params = request.query_params
        events = events_for_page(
            self.page,
            incident_id=params.get("incident_id"),
            maintenance_id=params.get("maintenance_id"),
        )
        return self.paginated(
            events, NotificationEventOut, ordering=("-created_at", "-id"), context=_progress
        )


class NotificationEventDetailView(PageApiView):
    required_scopes = {"GET": READ}

    @extend_schema(
        operation_id="notification_events_retrieve",
        tags=["Deliveries"],
        responses=NotificationEventOut,
        description="One publish's notifications: how many deliveries are in each state.",
    )
    def get(self, request, page_id, event_id):
        event = event_for_page(self.page, event_id)
        return Response(NotificationEventOut(event, context=_progress([event])).data)
