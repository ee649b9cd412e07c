"""Monitors' response times as page metrics (a monitor's ``publish_latency``).

The receiver of ``monitors.signals.results_recorded`` (connected in ``MetricsConfig.ready``,
metrics being above monitors) turns every successful result with a latency into a point of the
monitor's metric, milliseconds, in a fixed number of queries per signal:

- The metric is created on first need, "<monitor name> response time" with suffix ``ms``, last
  on the monitor's page, and linked to the monitor (``Metric.monitor``) so it is found again. From
  then on it is an ordinary metric: the page charts it, and its owner may rename, hide or delete
  it through the metrics API (a deleted one is created afresh by the next result).
- Turning ``publish_latency`` off stops the points; the metric and its history stay, shown as
  before, until its owner hides or deletes it (turning it on again continues the same metric).
  Deleting the monitor leaves the metric as an ordinary one.
- Failed results have no response time and make no point. Results of several locations are
  points of their own; results with the very same timestamp are averaged into one.
"""

import logging
from collections import defaultdict
from statistics import fmean

from django.db import DatabaseError, transaction
from django.db.models import Max

from metrics.models import Metric
from metrics.services import metric_points_record_many
from monitors.models import Monitor
from monitors.states import CheckedResult

logger = logging.getLogger(__name__)

SUFFIX = "ms"


def latency_metric_name(monitor: Monitor) -> str:
    return f"{monitor.name} response time"[:255]


def _metrics_of(monitors: dict[str, Monitor]) -> dict[str, Metric]:
    """``{monitor_id: its metric}``, creating the missing ones (at most four queries)."""
    found = {metric.monitor_id: metric for metric in Metric.objects.filter(monitor__in=monitors)}
    missing = [monitor for monitor_id, monitor in monitors.items() if monitor_id not in found]
    if not missing:
        return found
    tops = dict(
        Metric.objects.filter(page__in={monitor.page_id for monitor in missing})
        .values("page")
        .annotate(top=Max("position"))
        .values_list("page", "top")
    )
    created = []
    for monitor in missing:
        top = tops.get(monitor.page_id)
        tops[monitor.page_id] = position = 0 if top is None else top + 1
        created.append(
            Metric(
                page_id=monitor.page_id,
                monitor_id=monitor.id,
                name=latency_metric_name(monitor),
                suffix=SUFFIX,
                position=position,
            )
        )
    # Another process may create the same metric at the same time: its row is kept.
    Metric.objects.bulk_create(created, ignore_conflicts=True)
    found.update(
        (metric.monitor_id, metric)
        for metric in Metric.objects.filter(monitor__in=[monitor.id for monitor in missing])
    )
    return found


def monitor_latency_publish(*, results: list[tuple[Monitor, CheckedResult]]) -> int:
    """The response times of ``results`` whose monitor publishes them, as points of its
    metric; returns the points written."""
    monitors: dict[str, Monitor] = {}
    latencies: dict[tuple[str, object], list[int]] = defaultdict(list)
    for monitor, result in results:
        if monitor.publish_latency and result.ok and result.latency_ms is not None:
            monitors[monitor.id] = monitor
            latencies[(monitor.id, result.checked_at)].append(result.latency_ms)
    if not latencies:
        return 0
    with transaction.atomic():
        metrics = _metrics_of(monitors)
        return metric_points_record_many(
            points=[
                (metrics[monitor_id], checked_at, fmean(values))
                for (monitor_id, checked_at), values in latencies.items()
                if monitor_id in metrics
            ]
        )


def results_recorded_receiver(sender, *, location: str, results, **kwargs) -> None:
    """Publishing response times never breaks the recording of results (which committed)."""
    try:
        monitor_latency_publish(results=results)
    except DatabaseError:
        logger.exception(
            "Response times of %d results from %s not published", len(results), location
        )
