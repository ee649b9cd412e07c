"""Every write to metrics: their settings, their points (bulk upsert, last value per timestamp
wins) with the roll-ups the charts read, the retention purge and the Prometheus pull."""

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.validation import name_checked, text_checked
from core.validators import validate_url
from metrics.models import Metric, MetricPoint, MetricRollup
from statuspages.cache import page_invalidate_on_commit
from statuspages.models import StatusPage

# Bucket sizes (seconds) the charts read: day by 5 minutes, week by hour, month by 4 hours.
RESOLUTIONS = (300, 3600, 14400)
RETENTION = timedelta(days=400)
MAX_POINTS_PER_CALL = 10_000
# A clock a little ahead of ours is not an error; a point far in the future is.
FUTURE_TOLERANCE = timedelta(minutes=10)
METRIC_FIELDS = {
    "name",
    "suffix",
    "decimal_places",
    "y_axis_min",
    "y_axis_max",
    "display",
    "position",
    "prometheus_url",
}
_BATCH = 1000


def _check(metric: Metric) -> None:
    metric.name = name_checked(metric.name)
    metric.suffix = text_checked(metric.suffix, field="suffix", max_length=32)
    problems = {}
    if (
        metric.y_axis_min is not None
        and metric.y_axis_max is not None
        and metric.y_axis_min >= metric.y_axis_max
    ):
        problems["y_axis_max"] = ["y_axis_max must be greater than y_axis_min."]
    if metric.prometheus_url:
        try:
            validate_url(metric.prometheus_url)
        except ValidationError as error:
            problems["prometheus_url"] = error.messages
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def metric_create(*, page: StatusPage, name: str, position: int | None = None, **settings):
    unknown = set(settings) - METRIC_FIELDS
    if unknown:
        raise TypeError(f"metric_create got unknown fields: {sorted(unknown)}")
    if position is None:
        top = Metric.objects.filter(page=page).aggregate(top=Max("position"))["top"]
        position = 0 if top is None else top + 1
    metric = Metric(page=page, name=name, position=position, **settings)
    _check(metric)
    metric.save()
    page_invalidate_on_commit(page.id)
    return metric


@transaction.atomic
def metric_update(*, metric: Metric, **changes) -> Metric:
    unknown = set(changes) - METRIC_FIELDS
    if unknown:
        raise TypeError(f"metric_update got unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(metric, name, value)
    _check(metric)
    metric.save()
    page_invalidate_on_commit(metric.page_id)
    return metric


@transaction.atomic
def metric_delete(*, metric: Metric) -> None:
    page_invalidate_on_commit(metric.page_id)
    metric.delete()


def bucket_start(moment: datetime, resolution: int) -> datetime:
    seconds = math.floor(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % resolution, tz=UTC)


def _check_points(points: list[tuple[datetime, float]], now: datetime) -> None:
    if not points:
        raise ValidationError({"data": ["Send at least one point."]})
    if len(points) > MAX_POINTS_PER_CALL:
        raise ValidationError({"data": [f"At most {MAX_POINTS_PER_CALL} points per call."]})
    oldest, newest = now - RETENTION, now + FUTURE_TOLERANCE
    for index, (moment, value) in enumerate(points):
        if not oldest <= moment <= newest:
            raise ValidationError(
                {f"data.{index}.timestamp": ["Points are kept 400 days and may not be ahead."]}
            )
        if not math.isfinite(value):
            raise ValidationError({f"data.{index}.value": ["A finite number is required."]})


@transaction.atomic
def metric_points_submit(
    *, metric: Metric, points: list[tuple[datetime, float]], now: datetime | None = None
) -> int:
    """Upserts ``points`` (the last value given for a timestamp wins, so sending the same
    points again changes nothing) and refreshes the roll-ups of the buckets they touch.
    Returns how many distinct timestamps were written."""
    now = now or timezone.now()
    _check_points(points, now)
    latest = {moment: value for moment, value in points}  # later entries win
    rows = [
        MetricPoint(metric=metric, timestamp=moment, value=value)
        for moment, value in latest.items()
    ]
    MetricPoint.objects.bulk_create(
        rows,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["metric", "timestamp"],
        update_fields=["value"],
    )
    _rollups_refresh(metric, latest.keys())
    page_invalidate_on_commit(metric.page_id)
    return len(latest)


def _rollups_refresh(metric: Metric, moments) -> None:
    """Aggregates again, from the points, every bucket the given moments fall in."""
    touched = {
        resolution: {bucket_start(m, resolution) for m in moments} for resolution in RESOLUTIONS
    }
    widest = max(RESOLUTIONS)
    low = min(touched[widest])
    high = max(touched[widest]) + timedelta(seconds=widest)
    sums: dict[tuple[int, datetime], list[float]] = defaultdict(list)
    stored = MetricPoint.objects.filter(
        metric=metric, timestamp__gte=low, timestamp__lt=high
    ).values_list("timestamp", "value")
    for moment, value in stored.iterator(chunk_size=5000):
        for resolution in RESOLUTIONS:
            start = bucket_start(moment, resolution)
            if start in touched[resolution]:
                sums[(resolution, start)].append(value)
    rollups = [
        MetricRollup(
            metric=metric,
            resolution=resolution,
            bucket_start=start,
            count=len(values),
            total=math.fsum(values),
            minimum=min(values),
            maximum=max(values),
        )
        for (resolution, start), values in sums.items()
    ]
    MetricRollup.objects.bulk_create(
        rollups,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["metric", "resolution", "bucket_start"],
        update_fields=["count", "total", "minimum", "maximum"],
    )


@transaction.atomic
def metric_points_record_many(*, points: list[tuple[Metric, datetime, float]]) -> int:
    """Points of many metrics at once, as a feed sends them (monitors' response times, every
    second): one upsert of the points and the roll-ups of the buckets they touch, in a fixed
    number of queries however many points and metrics. The caller gives trusted points (recent,
    finite); the last value given for a metric and timestamp wins. Returns the points written."""
    latest: dict[tuple[str, datetime], float] = {}
    pages = set()
    for metric, moment, value in points:
        latest[(metric.id, moment)] = value
        pages.add(metric.page_id)
    if not latest:
        return 0
    MetricPoint.objects.bulk_create(
        [
            MetricPoint(metric_id=metric_id, timestamp=moment, value=value)
            for (metric_id, moment), value in latest.items()
        ],
        update_conflicts=True,
        unique_fields=["metric", "timestamp"],
        update_fields=["value"],
    )
    _rollups_refresh_many(latest.keys())
    for page_id in pages:
        page_invalidate_on_commit(page_id)
    return len(latest)


def _rollups_refresh_many(keys) -> None:
    """Aggregates again every touched bucket of many metrics, two queries per resolution: the
    finest from the points, each coarser one from the roll-ups of the resolution below (each
    resolution divides the next, and count, total, minimum and maximum compose)."""
    finest, *coarser = RESOLUTIONS
    touched = {(metric_id, bucket_start(moment, finest)) for metric_id, moment in keys}
    metric_ids = {metric_id for metric_id, _ in touched}
    low = min(start for _, start in touched)
    high = max(start for _, start in touched) + timedelta(seconds=finest)
    parts: dict[tuple[str, datetime], list[tuple[int, float, float, float]]] = defaultdict(list)
    stored = MetricPoint.objects.filter(
        metric_id__in=metric_ids, timestamp__gte=low, timestamp__lt=high
    ).values_list("metric_id", "timestamp", "value")
    for metric_id, moment, value in stored.iterator(chunk_size=5000):
        key = (metric_id, bucket_start(moment, finest))
        if key in touched:
            parts[key].append((1, value, value, value))
    _rollups_upsert(finest, parts)
    below = finest
    for resolution in coarser:
        touched = {(metric_id, bucket_start(start, resolution)) for metric_id, start in touched}
        low = min(start for _, start in touched)
        high = max(start for _, start in touched) + timedelta(seconds=resolution)
        parts = defaultdict(list)
        stored = MetricRollup.objects.filter(
            metric_id__in=metric_ids, resolution=below, bucket_start__gte=low, bucket_start__lt=high
        ).values_list("metric_id", "bucket_start", "count", "total", "minimum", "maximum")
        for metric_id, start, count, total, minimum, maximum in stored:
            key = (metric_id, bucket_start(start, resolution))
            if key in touched:
                parts[key].append((count, total, minimum, maximum))
        _rollups_upsert(resolution, parts)
        below = resolution


def _rollups_upsert(resolution: int, parts: dict) -> None:
    MetricRollup.objects.bulk_create(
        [
            MetricRollup(
                metric_id=metric_id,
                resolution=resolution,
                bucket_start=start,
                count=sum(part[0] for part in bucket),
                total=math.fsum(part[1] for part in bucket),
                minimum=min(part[2] for part in bucket),
                maximum=max(part[3] for part in bucket),
            )
            for (metric_id, start), bucket in parts.items()
        ],
        update_conflicts=True,
        unique_fields=["metric", "resolution", "bucket_start"],
        update_fields=["count", "total", "minimum", "maximum"],
    )


@transaction.atomic
def metrics_purge(*, now: datetime | None = None) -> int:
    """Points and roll-ups older than the retention (400 days) go; returns the points deleted."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = MetricPoint.objects.filter(timestamp__lt=cutoff).delete()
    MetricRollup.objects.filter(
        bucket_start__lt=cutoff - timedelta(seconds=max(RESOLUTIONS))
    ).delete()
    return deleted


class PullError(Exception):
    """The Prometheus answer could not be read as one number."""


def prometheus_sample(body: dict) -> tuple[datetime, float]:
    """The first sample of a Prometheus instant query answer (vector or scalar)."""
    if not isinstance(body, dict) or body.get("status") != "success":
        raise PullError("Prometheus did not answer with status success.")
    data = body.get("data") or {}
    result = data.get("result")
    if data.get("resultType") == "vector" and isinstance(result, list) and result:
        result = result[0].get("value") if isinstance(result[0], dict) else None
    elif data.get("resultType") != "scalar":
        raise PullError("Expected a vector with at least one sample, or a scalar.")
    try:
        seconds, text = result
        value = float(text)
        moment = datetime.fromtimestamp(float(seconds), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError) as error:
        raise PullError("The sample is not a [timestamp, value] pair.") from error
    if not math.isfinite(value):
        raise PullError(f"The sample is {text}, not a finite number.")
    return moment, value


def metric_pull_claim(*, metric_id: str, now: datetime, interval: timedelta) -> bool:
    """At most one pull per metric per interval, however many workers ask (a conditional
    UPDATE that only one of them wins)."""
    due = Metric.objects.filter(id=metric_id).exclude(prometheus_url="")
    due = due.filter(last_pulled_at__isnull=True) | due.filter(last_pulled_at__lte=now - interval)
    return Metric.objects.filter(id__in=due.values("id")).update(last_pulled_at=now) == 1


def metric_pull_record(
    *, metric: Metric, sample: tuple[datetime, float] | None, error: str
) -> None:
    """Stores a pulled sample (or why there is none) on the metric."""
    with transaction.atomic():
        if sample is not None:
            try:
                with transaction.atomic():
                    metric_points_submit(metric=metric, points=[sample])
            except ValidationError as refusal:
                error = "The sample was refused: " + "; ".join(refusal.messages)
        Metric.objects.filter(id=metric.id).update(last_pull_error=error[:500])
