from celery import shared_task

from audit.services import audit_events_purge as purge


@shared_task(name="audit.tasks.audit_events_purge")
def audit_events_purge() -> int:
    return purge()
