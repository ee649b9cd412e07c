"""Shared helpers for the notifications and subscribers tests: eager Celery, events as the
publishing services record them, and an incident row."""

import copy
import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from incidents.models import Incident, IncidentUpdate
from incidents.shapes import incident_shape
from notifications.models import EventKind
from notifications.tasks import event_record
from statuspages.publishing import PublishedEvent


@pytest.fixture
def eager_celery():
    """Run tasks in-process (the SQLite default; with REDIS_URL set tests would need a worker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    return settings


@pytest.fixture
def deny_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    return settings


TWILIO_MESSAGES_PATH = "/2010-04-01/Accounts/AC123/Messages.json"


@pytest.fixture
def twilio(httpserver, settings):
    """SMS through the Twilio backend to a local sink; answer at ``TWILIO_MESSAGES_PATH``."""
    settings.SMS_BACKEND = "channels.transports.sms.TwilioSmsBackend"
    settings.TWILIO_API_BASE = httpserver.url_for("/")
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC123", "token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    return httpserver


def _z(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z") if value else None


def incident_make(page, *, name="Database down", status="investigating") -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        page=page,
        name=name,
        status=status,
        started_at=now,
        resolved_at=now if status == "resolved" else None,
    )


_counter = iter(range(1, 10**9))


def incident_event(
    page,
    incident,
    *,
    kind=EventKind.INCIDENT_CREATED,
    components=(),
    status=None,
    message="We are investigating.",
) -> dict:
    """A published incident event, as the publishing pipeline builds one: its subject is
    Statuspage's incident (``incidents.shapes``) with this one update."""
    update_id = f"incu_test{next(_counter)}"
    now = timezone.now()
    component_rows = [
        {"id": c.id, "name": c.name, "old_status": "operational", "new_status": "major_outage"}
        for c in components
    ]
    incident = copy.copy(incident)  # the event's view of it; the caller's row is left alone
    incident.status = status or incident.status
    update = IncidentUpdate(
        id=update_id,
        incident=incident,
        status=incident.status,
        message=message,
        created_at=now,
        notify_subscribers=True,
        component_statuses=[
            {
                "component_id": row["id"],
                "name": row["name"],
                "old_status": "operational",
                "new_status": "major_outage",
            }
            for row in component_rows
        ],
    )
    return PublishedEvent.from_payload(
        kind=kind,
        publish_key=update_id,
        incident_id=incident.id,
        incident_update_id=update_id,
        component_ids=[c.id for c in components],
        payload={
            "page": {"id": page.id, "name": page.name, "slug": page.slug, "url": page.public_url},
            "page_status": {"indicator": "major", "description": "Partial System Outage"},
            "incident": incident_shape(
                incident,
                components=[(c, "major_outage") for c in components],
                updates=[update],
            ),
            "update": {
                "id": update_id,
                "status": incident.status,
                "message": message,
                "created_at": _z(now),
            },
            "components": component_rows,
        },
    )


def publish(capture, event):
    """Record an event in a transaction and run what commits trigger (fan-out, sends)."""
    with capture(execute=True), transaction.atomic():
        return event_record(event)
