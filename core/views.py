import logging

from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under an API's prefix: 404 whatever the method, in that API's error
    shape (``core.middleware.ApiErrorEnvelopeMiddleware``)."""
    raise Http404("No such resource.")


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was written")


def _check_broker():
    app = current_app  # the project's Celery app (config.celery), without importing upward
    if app.conf.task_always_eager:
        return
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@require_GET
def readyz(request):
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    results, ready = {}, True
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = "unavailable"
            ready = False
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
