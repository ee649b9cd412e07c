"""Reads of metrics: the API's lists, and the charts (a fixed number of queries whatever the
number of points: charts read roll-ups, a few hundred rows per metric)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics.models import Metric, MetricRollup
from statuspages.models import StatusPage


@dataclass(frozen=True)
class Period:
    name: str
    span: timedelta
    resolution: int  # seconds: the roll-up it reads
    label: str
    axis_start: str


# Labels are shown on the human page, in its reader's language.
PERIODS = {
    "day": Period("day", timedelta(days=1), 300, _("last 24 hours"), _("24 hours ago")),
    "week": Period("week", timedelta(days=7), 3600, _("last 7 days"), _("7 days ago")),
    "month": Period("month", timedelta(days=30), 14400, _("last 30 days"), _("30 days ago")),
}


def metrics_of_page(page: StatusPage) -> QuerySet[Metric]:
    return Metric.objects.filter(page=page)


def metric_of_page(page: StatusPage, metric_id: str) -> Metric:
    metric = Metric.objects.filter(page=page, id=metric_id).select_related("page").first()
    if metric is None:
        raise Http404("Metric not found.")
    return metric


def metric_by_id(metric_id: str) -> Metric | None:
    return Metric.objects.filter(id=metric_id).first()


def metric_ids_to_pull() -> list[str]:
    return list(Metric.objects.exclude(prometheus_url="").values_list("id", flat=True))


@dataclass
class ChartPoint:
    at: datetime
    average: float
    minimum: float
    maximum: float


@dataclass
class MetricChart:
    metric: Metric
    period: Period
    start: datetime
    end: datetime
    points: list[ChartPoint]

    @property
    def last(self) -> float | None:
        return self.points[-1].average if self.points else None

    @property
    def minimum(self) -> float | None:
        return min((point.minimum for point in self.points), default=None)

    @property
    def maximum(self) -> float | None:
        return max((point.maximum for point in self.points), default=None)

    @property
    def average(self) -> float | None:
        if not self.points:
            return None
        return sum(point.average for point in self.points) / len(self.points)

    def formatted(self, value: float | None) -> str:
        if value is None:
            return "no data"
        suffix = self.metric.suffix
        number = f"{value:,.{self.metric.decimal_places}f}"
        return f"{number} {suffix}".strip() if suffix and suffix[0].isalpha() else number + suffix


def page_charts(
    page: StatusPage, period_names: list[str], now: datetime | None = None
) -> dict[str, list[MetricChart]]:
    """``{period: [chart per displayed metric, in order]}`` in two queries."""
    now = now or timezone.now()
    metrics = list(Metric.objects.filter(page=page, display=True).order_by("position", "id"))
    periods = [PERIODS[name] for name in period_names]
    starts = {period.name: now - period.span for period in periods}
    window = Q()
    for period in periods:
        window |= Q(resolution=period.resolution, bucket_start__gte=starts[period.name])
    rollups = (
        MetricRollup.objects.filter(window, metric__in=[metric.id for metric in metrics])
        .order_by("bucket_start")
        .values_list(
            "metric_id", "resolution", "bucket_start", "count", "total", "minimum", "maximum"
        )
        if metrics
        else []
    )
    by_key: dict[tuple[str, int], list[ChartPoint]] = {}
    for metric_id, resolution, start, count, total, minimum, maximum in rollups:
        by_key.setdefault((metric_id, resolution), []).append(
            ChartPoint(at=start, average=total / count, minimum=minimum, maximum=maximum)
        )
    return {
        period.name: [
            MetricChart(
                metric=metric,
                period=period,
                start=starts[period.name],
                end=now,
                points=by_key.get((metric.id, period.resolution), []),
            )
            for metric in metrics
        ]
        for period in periods
    }


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def charts_payload(charts: list[MetricChart]) -> list[dict]:
    """The public ``metrics.json`` form: each displayed metric with its buckets' averages."""
    return [
        {
            "id": chart.metric.id,
            "name": chart.metric.name,
            "suffix": chart.metric.suffix,
            "decimal_places": chart.metric.decimal_places,
            "y_axis_min": chart.metric.y_axis_min,
            "y_axis_max": chart.metric.y_axis_max,
            "resolution_seconds": chart.period.resolution,
            "summary": {
                "last": chart.last,
                "minimum": chart.minimum,
                "maximum": chart.maximum,
                "average": chart.average,
            },
            "points": [
                {"timestamp": _rfc3339(point.at), "value": point.average} for point in chart.points
            ],
        }
        for chart in charts
    ]
