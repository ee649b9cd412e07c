"""Management endpoint for deliveries: what was sent to whom, and how it went (personal
data: the subscribers scopes)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Scope
from core.api import ApiView
from core.pagination import paginate
from core.schema import list_response, paginated_parameters
from core.serializers import TimestampField
from notifications.models import DeliveryStatus, EventKind
from notifications.selectors import deliveries_for_page
from statuspages.selectors import page_for_key

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


class DeliveryListView(ApiView):
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
        page = page_for_key(self.api_key, page_id)
        params = request.query_params
        if params.get("status") and params["status"] not in DeliveryStatus.values:
            raise serializers.ValidationError(
                {"status": [f"One of {', '.join(DeliveryStatus.values)}."]}
            )
        deliveries = deliveries_for_page(
            page,
            subscriber_id=params.get("subscriber_id"),
            incident_id=params.get("incident_id"),
            status=params.get("status"),
        )
        result = paginate(deliveries, params, ordering=("-id",))
        return Response(result.envelope(DeliveryOut(result.items, many=True).data))
