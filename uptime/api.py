"""Management API: a page's daily uptime over any date range."""

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from statuspages.api_base import PageApiView
from uptime.selectors import DEFAULT_DAYS, page_today, page_uptime, uptime_payload

MAX_RANGE_DAYS = 3660


class UptimeQuery(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class UptimeDayOut(serializers.Serializer):
    date = serializers.DateField()
    uptime_percentage = serializers.FloatField()
    worst_status = serializers.CharField()
    incident_ids = serializers.ListField(child=serializers.CharField())


class UptimeComponentOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    uptime_percentage = serializers.FloatField()
    days = UptimeDayOut(many=True)


class UptimeGroupOut(UptimeComponentOut):
    component_ids = serializers.ListField(child=serializers.CharField())


class UptimeOut(serializers.Serializer):
    page_id = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    components = UptimeComponentOut(many=True)
    groups = UptimeGroupOut(many=True)


class UptimeView(PageApiView):
    @extend_schema(
        operation_id="uptime_retrieve",
        description=(
            "Daily uptime of every component and group from `start` to `end` (dates in the "
            "page's time zone, both included; default: the last 90 days up to today; at most "
            f"{MAX_RANGE_DAYS} days, not after today). Weights: a major outage counts fully as "
            "down time, a partial outage at 30 %, degraded performance and maintenance not at "
            "all. Each day gives its worst status and the incidents that touched the component."
        ),
        parameters=[
            OpenApiParameter("start", str, description="First day, `YYYY-MM-DD`."),
            OpenApiParameter("end", str, description="Last day, `YYYY-MM-DD`."),
        ],
        responses=UptimeOut,
        tags=["Uptime"],
    )
    def get(self, request, page_id):
        page = self.page
        query = UptimeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = page_today(page)
        end = query.validated_data.get("end", today)
        start = query.validated_data.get("start", end - timedelta(days=DEFAULT_DAYS - 1))
        problems = {}
        if end > today:
            problems["end"] = ["The range may not end after today (in the page's time zone)."]
        if start > end:
            problems["start"] = ["start must not be after end."]
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            problems["start"] = [f"The range is at most {MAX_RANGE_DAYS} days."]
        if problems:
            raise serializers.ValidationError(problems)
        uptime = page_uptime(page, start=start, end=end)
        return Response({"page_id": page.id, "start": start, "end": end, **uptime_payload(uptime)})
