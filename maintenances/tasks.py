from celery import shared_task

from maintenances.services import maintenances_auto_transition


@shared_task(name="maintenances.tasks.maintenances_auto_transition", ignore_result=True)
def maintenances_auto_transition_task() -> int:
    return maintenances_auto_transition()
