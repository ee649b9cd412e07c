"""The demo page's story: resolved incidents in the history, one still open, a maintenance ahead.

Created through the same services as the API (so statuses, impacts and events are real), then
backdated: only a demo rewrites timestamps.
"""

import math
from datetime import timedelta

from django.utils import timezone

from incidents.models import Incident, IncidentUpdate
from incidents.services import incident_create, incident_update_publish
from maintenances.models import Maintenance
from maintenances.services import maintenance_create
from metrics.models import Metric
from metrics.services import metric_create, metric_points_submit
from uptime.services import status_history_rebuild

HISTORY = [
    # (days ago, name, component, status, [(status, minutes after start, message)])
    (
        3,
        "Elevated API error rates",
        "API",
        "partial_outage",
        [
            (
                "investigating",
                0,
                "We are seeing elevated 5xx rates on the API and are investigating.",
            ),
            (
                "identified",
                14,
                "A faulty configuration change on the load balancers is the cause; "
                "we are rolling it back.",
            ),
            (
                "monitoring",
                31,
                "The rollback is complete and error rates are back to normal. We are monitoring.",
            ),
            ("resolved", 62, "This incident has been resolved."),
        ],
    ),
    (
        12,
        "Delayed email delivery",
        "Email delivery",
        "degraded_performance",
        [
            ("investigating", 0, "Transactional emails are delayed by up to 20 minutes."),
            ("resolved", 48, "The queue has drained and emails are delivered on time again."),
        ],
    ),
    (
        41,
        "Dashboard login failures",
        "Dashboard",
        "major_outage",
        [
            ("investigating", 0, "Customers cannot log in to the dashboard."),
            ("identified", 9, "An expired certificate on the identity provider is the cause."),
            ("resolved", 25, "The certificate has been renewed; logins work again."),
        ],
    ),
]
OPEN_INCIDENT = (
    "Slow dashboard loads in the EU region",
    "EU region",
    "degraded_performance",
    "Some customers in Europe see dashboard pages load slowly. We have found a "
    "saturated database replica and are adding capacity.",
)


def _backdate(incident: Incident, started, offsets: list[int]) -> None:
    updates = list(incident.updates.order_by("created_at", "id"))
    for update, minutes in zip(updates, offsets, strict=True):
        IncidentUpdate.objects.filter(id=update.id).update(
            created_at=started + timedelta(minutes=minutes)
        )
    last = started + timedelta(minutes=offsets[-1])
    Incident.objects.filter(id=incident.id).update(
        started_at=started,
        created_at=started,
        updated_at=last,
        resolved_at=last if incident.is_resolved else None,
        monitoring_at=started + timedelta(minutes=offsets[-2])
        if incident.monitoring_at and len(offsets) > 1
        else None,
    )


def demo_story(page) -> None:
    now = timezone.now()
    components = {component.name: component for component in page.components.all()}
    existing = set(Incident.objects.filter(page=page).values_list("name", flat=True))
    for days_ago, name, component_name, status, steps in HISTORY:
        if name in existing:
            continue
        component = components[component_name]
        first_status, _, first_message = steps[0]
        incident = incident_create(
            page=page,
            name=name,
            status=first_status,
            message=first_message,
            component_statuses=[{"component_id": component.id, "status": status}],
            notify_subscribers=False,
        )
        for step_status, _, message in steps[1:]:
            incident_update_publish(
                incident=incident, status=step_status, message=message, notify_subscribers=False
            )
        incident.refresh_from_db()
        # At 09:00 UTC of that day: an incident of the story never runs over midnight, so it
        # colours one day of the uptime bars whatever the hour the demo is seeded.
        started = (now - timedelta(days=days_ago)).replace(hour=9, minute=0, second=0)
        _backdate(incident, started, [minutes for _, minutes, _ in steps])

    # The history above was backdated after publishing: its uptime intervals follow it.
    status_history_rebuild(page=page)

    name, component_name, status, message = OPEN_INCIDENT
    if name not in existing:
        incident_create(
            page=page,
            name=name,
            status="identified",
            message=message,
            notify_subscribers=False,
            component_statuses=[{"component_id": components[component_name].id, "status": status}],
        )

    if not Maintenance.objects.filter(page=page, name="Database upgrade").exists():
        start = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
        maintenance_create(
            page=page,
            name="Database upgrade",
            start_at=start,
            end_at=start + timedelta(hours=2),
            message="We will upgrade our primary database. The API and dashboard may be "
            "read-only for a few minutes during the window.",
            component_ids=[components["API"].id, components["Dashboard"].id],
            notify_subscribers=False,
        )

    if not Metric.objects.filter(page=page, name="API response time").exists():
        latency = metric_create(page=page, name="API response time", suffix="ms", y_axis_min=0)
        # 30 days every 5 minutes: a daily rhythm, and the slow week of the EU incident.
        points = []
        for step in range(30 * 288):
            moment = now - timedelta(minutes=5 * step)
            hour = moment.hour + moment.minute / 60
            value = 180 + 40 * math.sin((hour - 8) / 24 * 2 * math.pi) + (step * 37 % 11)
            points.append((moment, round(value, 1)))
        metric_points_submit(metric=latency, points=points)
