"""The import services: an incident or a maintenance recorded as another service published it.
They check what they are given like every service, keep the given times, notify nobody and
publish nothing on the window's behalf."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.importing import incident_import
from maintenances.importing import maintenance_import
from maintenances.services import maintenances_auto_transition
from notifications.models import NotificationEvent
from statuspages.status import effective_statuses
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db

AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def _update(status, minutes, message="", **fields):
    return {
        "status": status,
        "message": message,
        "published_at": AT + timedelta(minutes=minutes),
        **fields,
    }


def _refused(call) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return set(caught.value.message_dict)


def test_an_imported_incident_keeps_its_times_and_tells_nobody(page):
    api = ComponentFactory(page=page, name="API")
    incident, updates = incident_import(
        page=page,
        name="API errors",
        updates=[
            _update(
                "investigating",
                0,
                "Errors.",
                component_statuses=[{"component_id": api.id, "status": "major_outage"}],
            ),
            _update("monitoring", 30, "Watching."),
            _update("resolved", 60, "Fixed."),
        ],
    )

    incident.refresh_from_db()
    assert (incident.status, incident.impact) == ("resolved", "critical")
    assert (incident.created_at, incident.started_at) == (AT, AT)
    assert incident.monitoring_at == AT + timedelta(minutes=30)
    assert incident.resolved_at == incident.updated_at == AT + timedelta(minutes=60)
    assert [u.created_at for u in updates] == [AT + timedelta(minutes=m) for m in (0, 30, 60)]
    assert not any(u.notify_subscribers for u in updates)
    assert effective_statuses([api])[api.id] == "operational"
    assert NotificationEvent.objects.count() == 0


def test_an_open_imported_incident_moves_its_components_and_a_new_record_follows_the_source(page):
    api = ComponentFactory(page=page, name="API")
    opened = [
        _update(
            "investigating",
            0,
            "Errors.",
            component_statuses=[{"component_id": api.id, "status": "partial_outage"}],
        )
    ]
    incident, (first,) = incident_import(page=page, name="API errors", updates=opened)
    assert effective_statuses([api])[api.id] == "partial_outage"

    again, updates = incident_import(
        page=page,
        incident=incident,
        name="API errors (EU)",
        updates=[
            {**opened[0], "id": first.id, "message": "Errors in the EU."},
            _update("resolved", 45, "Fixed."),
        ],
    )

    assert updates[0].id == first.id and updates[0].message == "Errors in the EU."
    assert (again.name, again.status) == ("API errors (EU)", "resolved")
    assert again.updates.count() == 2
    assert effective_statuses([api])[api.id] == "operational"
    # The source withdrew its second update: so does the record here.
    incident_import(page=page, incident=again, name="API errors (EU)", updates=opened[:1])
    assert again.updates.count() == 1


def test_an_imported_incident_is_refused_field_by_field(page):
    other = ComponentFactory()  # another page's component
    cases = [
        ([], "updates"),
        ([_update("fixing", 0)], "updates.0.status"),
        ([{**_update("investigating", 0), "published_at": datetime(2024, 3, 1)}], None),
        ([_update("investigating", 10), _update("resolved", 0)], "updates.1.published_at"),
        (
            [
                _update(
                    "investigating",
                    0,
                    component_statuses=[{"component_id": other.id, "status": "major_outage"}],
                )
            ],
            "component_statuses",
        ),
    ]
    for updates, field in cases:
        fields = _refused(lambda u=updates: incident_import(page=page, name="X", updates=u))
        assert fields == {field or "updates.0.published_at"}
    assert _refused(lambda: incident_import(page=page, name="", updates=[_update("resolved", 0)]))
    assert page.incidents.count() == 0


def test_a_window_already_due_comes_without_automatic_transitions(page):
    db = ComponentFactory(page=page, name="Database")
    now = timezone.now()
    # The source never started it, though its start has passed.
    overdue, _ = maintenance_import(
        page=page,
        name="Upgrade",
        start_at=now - timedelta(hours=2),
        end_at=now + timedelta(hours=2),
        updates=[_update("scheduled", 0, "Planned.")],
        component_ids=[db.id],
        auto_transition=True,
    )
    coming, _ = maintenance_import(
        page=page,
        name="Drill",
        start_at=now + timedelta(days=1),
        end_at=now + timedelta(days=1, hours=1),
        updates=[_update("scheduled", 0, "Planned.")],
        auto_transition=True,
    )

    assert (overdue.status, overdue.auto_transition) == ("scheduled", False)
    assert (coming.status, coming.auto_transition) == ("scheduled", True)
    assert maintenances_auto_transition() == 0  # the beat publishes nothing for it
    assert NotificationEvent.objects.count() == 0


def test_a_finished_window_keeps_when_it_ran(page):
    db = ComponentFactory(page=page, name="Database")
    maintenance, updates = maintenance_import(
        page=page,
        name="Upgrade",
        start_at=AT,
        end_at=AT + timedelta(hours=2),
        updates=[
            _update("scheduled", -60, "Planned."),
            _update("in_progress", 5, "Started."),
            _update("completed", 100, "Done."),
        ],
        component_ids=[db.id],
    )

    maintenance.refresh_from_db()
    assert maintenance.status == "completed"
    assert maintenance.started_at == AT + timedelta(minutes=5)
    assert maintenance.completed_at == AT + timedelta(minutes=100)
    assert maintenance.created_at == AT - timedelta(minutes=60)
    assert [u.status for u in updates] == ["scheduled", "in_progress", "completed"]
    assert effective_statuses([db])[db.id] == "operational"
    fields = _refused(
        lambda: maintenance_import(
            page=page, name="X", start_at=AT, end_at=AT, updates=[_update("scheduled", 0)]
        )
    )
    assert fields == {"end_at"}
