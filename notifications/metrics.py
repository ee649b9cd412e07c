"""Prometheus metrics of the notification pipeline at ``GET /metrics``, read from the
database (the source of truth every worker shares): deliveries by channel and status, the
backlog, and how long the last hour's deliveries took from publish to send.

Exists only when ``METRICS_TOKEN`` is set, and answers only a scraper that sends it as a
bearer token.
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from notifications.models import Delivery, DeliveryStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Publish-to-send latency buckets, in seconds.
LATENCY_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 900, 3600)
LATENCY_WINDOW = timedelta(hours=1)


def _authorized(request) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    )


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


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
            f'statuspage_deliveries{{channel="{_label(channel)}",status="{_label(row["status"])}"}}'
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
    name = "statuspage_delivery_latency_seconds"
    lines = [
        f"# HELP {name} Publish to send, for deliveries sent in the last hour.",
        f"# TYPE {name} histogram",
    ]
    for bound in LATENCY_BUCKETS:
        lines.append(f'{name}_bucket{{le="{bound}"}} {counts[f"le_{bound}"]}')
    lines.append(f'{name}_bucket{{le="+Inf"}} {counts["count"]}')
    lines.append(f"{name}_sum {total:.3f}")
    lines.append(f"{name}_count {counts['count']}")
    return lines


@require_GET
def metrics_view(request):
    if not settings.METRICS_TOKEN:
        raise Http404("Metrics are off (METRICS_TOKEN is not set).")
    if not _authorized(request):
        response = HttpResponse("Send the metrics token as a bearer token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    lines = [*_deliveries_by_channel_and_status(), *_backlog(), *_latency_histogram()]
    return HttpResponse("\n".join(lines) + "\n", content_type=CONTENT_TYPE)
