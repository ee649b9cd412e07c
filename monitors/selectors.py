from django.db.models import QuerySet
from django.http import Http404

from monitors.models import Monitor, MonitorResult


def monitors_for_page(page) -> QuerySet[Monitor]:
    return Monitor.objects.filter(page=page)


def monitor_for_page(page, monitor_id: str) -> Monitor:
    monitor = monitors_for_page(page).select_related("page").filter(id=monitor_id).first()
    if monitor is None:
        raise Http404("Monitor not found.")
    return monitor


def results_of_monitor(monitor: Monitor, *, location=None, since=None) -> QuerySet[MonitorResult]:
    results = MonitorResult.objects.filter(monitor=monitor)
    if location:
        results = results.filter(location=location)
    if since is not None:
        results = results.filter(checked_at__gte=since)
    return results
