"""Celery entry points: the retention purge and the Prometheus pull."""

import json
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from channels.outbound import OutboundError, UnsafeURL
from channels.outbound import get as outbound_get
from metrics import selectors, services

PULL_INTERVAL = timedelta(seconds=55)


@shared_task(ignore_result=True)
def metrics_purge() -> int:
    return services.metrics_purge()


@shared_task(ignore_result=True)
def metrics_pull_due() -> int:
    """Every minute (beat): one pull task per metric that has a Prometheus URL."""
    ids = selectors.metric_ids_to_pull()
    for metric_id in ids:
        metric_pull.delay(metric_id)
    return len(ids)


@shared_task(ignore_result=True)
def metric_pull(metric_id: str) -> None:
    if not services.metric_pull_claim(
        metric_id=metric_id, now=timezone.now(), interval=PULL_INTERVAL
    ):
        return  # gone, no URL any more, or pulled a moment ago
    metric = selectors.metric_by_id(metric_id)
    if metric is None:
        return
    sample, error = None, ""
    try:
        # Through the SSRF guard: a query URL may not reach private addresses.
        response = outbound_get(metric.prometheus_url, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise services.PullError(f"Prometheus answered HTTP {response.status_code}.")
        sample = services.prometheus_sample(json.loads(response.body))
    except UnsafeURL as refusal:
        error = f"Refused: {refusal}"
    except OutboundError as failure:
        error = f"Could not reach Prometheus: {failure}"
    except ValueError:
        error = "Prometheus did not answer with JSON (or its answer was over 64 kB)."
    except services.PullError as failure:
        error = str(failure)
    services.metric_pull_record(metric=metric, sample=sample, error=error)
