from celery import shared_task

from imports.runs import import_run_execute

# An import of thousands of objects outlasts the default limits (config/settings.py).
IMPORT_TIME_LIMIT = 4 * 3600


@shared_task(
    name="imports.tasks.import_run",
    ignore_result=True,
    time_limit=IMPORT_TIME_LIMIT,
    soft_time_limit=IMPORT_TIME_LIMIT - 60,
)
def import_run_task(run_id: str) -> None:
    import_run_execute(run_id=run_id)
