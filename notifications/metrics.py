"""Prometheus metrics of the notification pipeline (a source of ``core.prometheus``'s
``GET /metrics``, registered in ``NotificationsConfig.ready``): deliveries by channel and status,
the backlog, and how long the last hour's deliveries took from publish to send.
"""

from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from core.prometheus import histogram, label
from notifications.models import Delivery, DeliveryStatus

# Publish-to-send latency buckets, in seconds.
LATENCY_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 900, 3600)
LATENCY_WINDOW = timedelta(hours=1)


def _deliveries_by_channel_and_status() -> list[str]:
    rows = (
        Delivery.objects.values("subscriber__channel", "status")
        .annotate(count=Count("id"))
        .order_by("subscriber__channel", "status")
    )
    lines = [
        "# HELP statuspage_deliveries Deliveries by subscriber channel and status.",
        "# TYPE statuspage_deliveries gauge",
    ]
    for row in rows:
        channel = row["subscriber__channel"] or "removed"
        lines.append(
            f'statuspage_deliveries{{channel="{label(channel)}",status="{label(row["status"])}"}}'
            f" {row['count']}"
        )
    return lines


def _backlog() -> list[str]:
    waiting = Delivery.objects.filter(
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    ).count()
    return [
        "# HELP statuspage_deliveries_waiting Deliveries pending or being sent (the queue depth).",
        "# TYPE statuspage_deliveries_waiting gauge",
        f"statuspage_deliveries_waiting {waiting}",
    ]


def _latency_histogram() -> list[str]:
    latency = ExpressionWrapper(F("sent_at") - F("event__created_at"), output_field=DurationField())
    recent = Delivery.objects.filter(
        status=DeliveryStatus.SENT, sent_at__gte=timezone.now() - LATENCY_WINDOW
    ).annotate(latency=latency)
    buckets = {
        f"le_{bound}": Count("id", filter=Q(latency__lte=timedelta(seconds=bound)))
        for bound in LATENCY_BUCKETS
    }
    counts = recent.aggregate(count=Count("id"), total=Sum("latency"), **buckets)
    total = counts["total"].total_seconds() if counts["total"] else 0.0
    return histogram(
        "statuspage_delivery_latency_seconds",
        "Publish to send, for deliveries sent in the last hour.",
        LATENCY_BUCKETS,
        {bound: counts[f"le_{bound}"] for bound in LATENCY_BUCKETS},
        counts["count"],
        total,
    )


def notification_metric_lines() -> list[str]:
    return [*_deliveries_by_channel_and_status(), *_backlog(), *_latency_histogram()]
