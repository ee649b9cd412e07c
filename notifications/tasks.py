"""Celery entry points: ids in, a service call, nothing else. At-least-once: acks_late and
reject_on_worker_lost redeliver a message whose worker died; claims make repeats harmless."""

from celery import shared_task

from channels import outbound
from notifications import services

_AT_LEAST_ONCE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(
    name="notifications.tasks.event_fan_out", time_limit=600, soft_time_limit=570, **_AT_LEAST_ONCE
)
def event_fan_out(event_id: str) -> int:
    return services.event_fan_out(event_id=event_id)


@shared_task(
    name="notifications.tasks.deliveries_send",
    time_limit=240,
    soft_time_limit=220,
    **_AT_LEAST_ONCE,
)
def deliveries_send(delivery_ids: list[str]) -> None:
    with outbound.connection_reuse():
        for delivery_id in delivery_ids:
            services.delivery_send(delivery_id=delivery_id)


@shared_task(
    name="notifications.tasks.notifications_sweep",
    time_limit=300,
    soft_time_limit=280,
    **_AT_LEAST_ONCE,
)
def notifications_sweep() -> dict:
    return services.notifications_sweep()
