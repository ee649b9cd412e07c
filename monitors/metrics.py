"""Prometheus metrics of the monitors (a source of ``core.prometheus``'s ``GET /metrics``,
registered in ``MonitorsConfig.ready``), in three queries: the results checked in the last five
minutes by location and outcome, their latency and schedule lag, and the monitors by state."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.prometheus import histogram, label
from monitors.models import Monitor, MonitorResult, MonitorState

WINDOW = timedelta(minutes=5)
OUTCOMES = ("ok", "degraded", "failed")
# Seconds.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)


def _checks(recent) -> list[str]:
    rows = (
        recent.values("location")
        .annotate(
            outcome_ok=Count("id", filter=Q(ok=True, degraded=False)),
            outcome_degraded=Count("id", filter=Q(ok=True, degraded=True)),
            outcome_failed=Count("id", filter=Q(ok=False)),
        )
        .order_by("location")
    )
    name = "statuspage_monitor_checks"
    lines = [
        f"# HELP {name} Check results of the last 5 minutes (by checked_at), by location and "
        "outcome (ok, degraded: a slow success, failed).",
        f"# TYPE {name} gauge",
    ]
    for row in rows:
        location = label(row["location"])
        for outcome in OUTCOMES:
            count = row[f"outcome_{outcome}"]
            lines.append(f'{name}{{location="{location}",outcome="{outcome}"}} {count}')
    return lines


def _histograms(recent) -> list[str]:
    """Latency and schedule lag of the last five minutes' results, in one query."""
    buckets = {}
    for index, bound in enumerate(LATENCY_BUCKETS):
        buckets[f"latency_{index}"] = Count("id", filter=Q(latency_ms__lte=bound * 1000))
    for index, bound in enumerate(LAG_BUCKETS):
        buckets[f"lag_{index}"] = Count("id", filter=Q(lag_ms__lte=bound * 1000))
    counts = recent.aggregate(
        latency_count=Count("latency_ms"),
        latency_total=Sum("latency_ms"),
        lag_count=Count("lag_ms"),
        lag_total=Sum("lag_ms"),
        **buckets,
    )
    return [
        *histogram(
            "statuspage_monitor_check_latency_seconds",
            "Response time of the checks of the last 5 minutes (by checked_at).",
            LATENCY_BUCKETS,
            {bound: counts[f"latency_{i}"] for i, bound in enumerate(LATENCY_BUCKETS)},
            counts["latency_count"],
            (counts["latency_total"] or 0) / 1000,
        ),
        *histogram(
            "statuspage_monitor_schedule_lag_seconds",
            "How late the checks of the last 5 minutes (by checked_at) started after their "
            "due time.",
            LAG_BUCKETS,
            {bound: counts[f"lag_{i}"] for i, bound in enumerate(LAG_BUCKETS)},
            counts["lag_count"],
            (counts["lag_total"] or 0) / 1000,
        ),
    ]


def _monitors_by_state() -> list[str]:
    counts = dict.fromkeys(MonitorState.values, 0)
    counts.update(Monitor.objects.values_list("state").annotate(count=Count("id")).order_by())
    name = "statuspage_monitors"
    lines = [f"# HELP {name} Monitors by state.", f"# TYPE {name} gauge"]
    for state, count in counts.items():
        lines.append(f'{name}{{state="{state}"}} {count}')
    return lines


def monitor_metric_lines() -> list[str]:
    recent = MonitorResult.objects.filter(checked_at__gte=timezone.now() - WINDOW)
    return [*_checks(recent), *_histograms(recent), *_monitors_by_state()]
