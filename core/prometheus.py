"""``GET /metrics``: Prometheus text read from the database (the source of truth every worker
shares). Each app contributes its lines through a *metrics source* registered in its
``AppConfig.ready`` (notifications: deliveries; monitors: checks, latency, schedule lag), so
this module knows no domain; each source costs a fixed number of queries.

Exists only when ``METRICS_TOKEN`` is set, and answers only a scraper that sends it as a
bearer token.
"""

import hmac
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# A metrics source: no arguments, the exposition lines of its metrics (HELP and TYPE included).
MetricsSource = Callable[[], Iterable[str]]

_sources: list[MetricsSource] = []


def register_metrics_source(source: MetricsSource) -> None:
    if source not in _sources:
        _sources.append(source)


def label(value: str) -> str:
    """A label value, escaped as the text format wants."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def histogram(
    name: str, help_text: str, bounds: Iterable[float], counts: dict, count: int, total: float
) -> list[str]:
    """A histogram's lines; ``counts`` maps each bound to the observations at or below it."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for bound in bounds:
        lines.append(f'{name}_bucket{{le="{bound}"}} {counts[bound]}')
    lines.append(f'{name}_bucket{{le="+Inf"}} {count}')
    lines.append(f"{name}_sum {total:.3f}")
    lines.append(f"{name}_count {count}")
    return lines


def _authorized(request) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    )


@require_GET
def metrics_view(request):
    if not settings.METRICS_TOKEN:
        raise Http404("Metrics are off (METRICS_TOKEN is not set).")
    if not _authorized(request):
        response = HttpResponse("Send the metrics token as a bearer token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    lines = [line for source in _sources for line in source()]
    return HttpResponse("\n".join(lines) + "\n", content_type=CONTENT_TYPE)
