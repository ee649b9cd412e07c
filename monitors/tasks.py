from celery import shared_task
from celery.signals import worker_process_shutdown

from monitors.heartbeats import heartbeats_overdue_mark, pings_record
from monitors.scheduling import checks_run, checks_start, monitors_dispatch, recorder_drain
from monitors.states import monitor_results_purge


@shared_task(name="monitors.tasks.monitors_dispatch", ignore_result=True)
def monitors_dispatch_task() -> int:
    return monitors_dispatch()


@shared_task(bind=True, name="monitors.tasks.monitors_check", ignore_result=True)
def monitors_check_task(self, location: str, due: list) -> int:
    """``due``: ``[[monitor_id, due_epoch_ms], ...]`` for ``location`` (sent to its queue).
    On a worker the probes run on the process's loop and this returns at once; run eagerly
    (no broker) it probes and records before returning."""
    if self.request.is_eager:
        return checks_run(location, due)
    return checks_start(location, due)


@shared_task(name="monitors.tasks.pings_record", ignore_result=True)
def pings_record_task() -> int:
    return pings_record()


@shared_task(name="monitors.tasks.heartbeats_overdue_mark", ignore_result=True)
def heartbeats_overdue_mark_task() -> int:
    return heartbeats_overdue_mark()


@shared_task(name="monitors.tasks.monitor_results_purge", ignore_result=True)
def monitor_results_purge_task() -> int:
    return monitor_results_purge()


@worker_process_shutdown.connect
def _probes_in_flight_recorded(**kwargs) -> None:
    """A pool process about to exit writes what its probes found (``recorder_drain``)."""
    recorder_drain()
