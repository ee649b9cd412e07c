"""``/v1/{page_id}/metrics``: list and add, over ``metrics.services``. ``data`` carries the
last 24 hours of points (``{timestamp: epoch milliseconds, value}``), oldest first."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone
from rest_framework.response import Response

from accounts.models import Scope
from dialects.instatus.base import InstatusView, page_window
from dialects.instatus.inputs import MetricIn
from metrics import selectors, services
from metrics.models import MetricPoint
from statuspages.selectors import page_for_key

DATA_WINDOW = timedelta(hours=24)


def metric_object(metric, points=()) -> dict:
    return {
        "id": metric.id,
        "name": metric.name,
        "suffix": metric.suffix,
        "active": metric.display,
        "order": metric.position,
        "data": [
            {"timestamp": int(point.timestamp.timestamp() * 1000), "value": point.value}
            for point in points
        ],
    }


class MetricListView(InstatusView):
    write_scope = Scope.PAGES_WRITE

    def get(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        window = page_window(request.query_params)
        recent = MetricPoint.objects.filter(timestamp__gte=timezone.now() - DATA_WINDOW).order_by(
            "timestamp"
        )
        metrics = (
            selectors.metrics_of_page(page)
            .order_by("position", "id")
            .prefetch_related(Prefetch("points", queryset=recent, to_attr="recent_points"))[window]
        )
        return Response([metric_object(m, m.recent_points) for m in metrics])

    def post(self, request, page_id):
        page = page_for_key(self.api_key, page_id)
        form = MetricIn(data=request.data if isinstance(request.data, dict) else {})
        form.is_valid(raise_exception=True)
        metric = services.metric_create(page=page, **form.service_arguments())
        return Response(metric_object(metric))
