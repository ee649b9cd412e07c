from celery import shared_task

from core.idempotency import idempotency_records_purge as purge


@shared_task(name="core.tasks.idempotency_records_purge")
def idempotency_records_purge() -> int:
    return purge()
