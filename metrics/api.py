"""Management API of metrics: settings (pages:write to change) and bulk data points."""

import math
from datetime import UTC, datetime

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField, django_validator
from core.validators import validate_url
from metrics import selectors, services
from statuspages.api_base import PageApiView


class MetricOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    name = serializers.CharField()
    suffix = serializers.CharField()
    decimal_places = serializers.IntegerField()
    y_axis_min = serializers.FloatField(allow_null=True)
    y_axis_max = serializers.FloatField(allow_null=True)
    display = serializers.BooleanField()
    position = serializers.IntegerField()
    prometheus_url = serializers.CharField()
    last_pulled_at = TimestampField(allow_null=True)
    last_pull_error = serializers.CharField()
    created_at = TimestampField()
    updated_at = TimestampField()


class MetricIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    suffix = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="Unit shown after values."
    )
    decimal_places = serializers.IntegerField(min_value=0, max_value=6, required=False)
    y_axis_min = serializers.FloatField(required=False, allow_null=True)
    y_axis_max = serializers.FloatField(required=False, allow_null=True)
    display = serializers.BooleanField(required=False, help_text="Shown on the public page.")
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    prometheus_url = serializers.CharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        validators=[django_validator(validate_url)],
        help_text="A Prometheus instant query URL (`https://prometheus/api/v1/query?query=...`) "
        "pulled every minute; its first sample becomes a point. Empty: none.",
    )

    def validate(self, attrs):
        for name in ("y_axis_min", "y_axis_max"):
            value = attrs.get(name)
            if value is not None and not math.isfinite(value):
                raise serializers.ValidationError({name: ["A finite number is required."]})
        return attrs


_POINT_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": services.MAX_POINTS_PER_CALL,
    "items": {
        "type": "object",
        "required": ["timestamp", "value"],
        "additionalProperties": False,
        "properties": {
            "timestamp": {
                "oneOf": [{"type": "string", "format": "date-time"}, {"type": "number"}],
                "description": "RFC 3339 with a time zone, or seconds since the epoch.",
            },
            "value": {"type": "number"},
        },
    },
}


def _moment(value) -> datetime:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str) and len(value) <= 64:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError
        return moment
    raise ValueError


@extend_schema_field(_POINT_SCHEMA)
class PointsField(serializers.Field):
    """Up to 10,000 ``{timestamp, value}``: read by hand, as DRF's nested serializers are slow
    at that size."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError("Expected a list of {timestamp, value} points.")
        if not 1 <= len(data) <= services.MAX_POINTS_PER_CALL:
            raise serializers.ValidationError(
                f"Send 1 to {services.MAX_POINTS_PER_CALL} points per call."
            )
        points, errors = [], {}
        for index, item in enumerate(data):
            if not isinstance(item, dict) or set(item) != {"timestamp", "value"}:
                errors[str(index)] = ["Each point is exactly {timestamp, value}."]
                continue
            value = item["value"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors[str(index)] = {"value": ["A number is required."]}
                continue
            try:
                moment = _moment(item["timestamp"])
            except (ValueError, OverflowError, OSError):
                errors[str(index)] = {
                    "timestamp": ["RFC 3339 with a time zone, or seconds since the epoch."]
                }
                continue
            if not math.isfinite(float(value)) or abs(value) > 1e300:
                errors[str(index)] = {"value": ["A finite number is required."]}
                continue
            points.append((moment, float(value)))
            if len(errors) >= 20:
                break
        if errors:
            raise serializers.ValidationError(errors)
        return points


class DataIn(StrictInputSerializer):
    data = PointsField()


class DataOut(serializers.Serializer):
    metric_id = serializers.CharField()
    points_written = serializers.IntegerField(
        help_text="Distinct timestamps written (a repeated timestamp keeps its last value)."
    )


class MetricListView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="metrics_list",
        description="The page's metrics, by `position` then id.",
        parameters=paginated_parameters(),
        responses=list_response(MetricOut),
        tags=["Metrics"],
    )
    def get(self, request, page_id):
        return self.paginated(
            selectors.metrics_of_page(self.page), MetricOut, ordering=("position", "id")
        )

    @extend_schema(
        operation_id="metrics_create",
        description="Adds a metric; its chart shows on the public page when `display` is true.",
        request=MetricIn,
        responses={201: MetricOut},
        tags=["Metrics"],
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(MetricIn)
        metric = services.metric_create(page=page, **body.validated_data)
        return Response(MetricOut(metric).data, status=201)


class MetricDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="metrics_retrieve",
        responses=MetricOut,
        tags=["Metrics"],
        description="A metric.",
    )
    def get(self, request, page_id, metric_id):
        return Response(MetricOut(selectors.metric_of_page(self.page, metric_id)).data)

    @extend_schema(
        operation_id="metrics_update",
        description="Changes the fields given; the others keep their values.",
        request=MetricIn(partial=True),
        responses=MetricOut,
        tags=["Metrics"],
    )
    def patch(self, request, page_id, metric_id):
        metric = selectors.metric_of_page(self.page, metric_id)
        body = self.validated(MetricIn, partial=True)
        metric = services.metric_update(metric=metric, **body.validated_data)
        return Response(MetricOut(metric).data)

    @extend_schema(
        operation_id="metrics_destroy",
        responses={204: None},
        tags=["Metrics"],
        description="Deletes the metric with its data points.",
    )
    def delete(self, request, page_id, metric_id):
        metric = selectors.metric_of_page(self.page, metric_id)
        services.metric_delete(metric=metric)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MetricDataView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="metrics_data_submit",
        description=(
            f"Adds up to {services.MAX_POINTS_PER_CALL} points in one call (one transaction). "
            "A timestamp already stored takes the new value, and within one call the last "
            "value given for a timestamp wins, so sending the same points again changes "
            "nothing. Points older than 400 days (the retention) or more than 10 minutes "
            "ahead are refused (400)."
        ),
        request=DataIn,
        responses={200: DataOut},
        tags=["Metrics"],
    )
    def post(self, request, page_id, metric_id):
        metric = selectors.metric_of_page(self.page, metric_id)
        body = self.validated(DataIn)
        written = services.metric_points_submit(metric=metric, points=body.validated_data["data"])
        return Response({"metric_id": metric.id, "points_written": written})
