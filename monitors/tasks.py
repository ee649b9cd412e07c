from celery import shared_task

from monitors.heartbeats import heartbeats_overdue_mark
from monitors.states import monitor_results_purge


@shared_task(name="monitors.tasks.heartbeats_overdue_mark", ignore_result=True)
def heartbeats_overdue_mark_task() -> int:
    return heartbeats_overdue_mark()


@shared_task(name="monitors.tasks.monitor_results_purge", ignore_result=True)
def monitor_results_purge_task() -> int:
    return monitor_results_purge()
