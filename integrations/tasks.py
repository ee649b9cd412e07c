from celery import shared_task

from integrations.receiving import alert_groups_open_due, alert_groups_purge


@shared_task(name="integrations.tasks.alert_groups_open_due", ignore_result=True)
def alert_groups_open_due_task() -> int:
    return alert_groups_open_due()


@shared_task(name="integrations.tasks.alert_groups_purge", ignore_result=True)
def alert_groups_purge_task() -> int:
    return alert_groups_purge()
