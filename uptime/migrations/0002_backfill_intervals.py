"""Backfills the uptime history from what incident and maintenance updates recorded: each
update keeps every component's effective status before and after it (``component_statuses``),
so replaying them in order gives each stretch of non-operational status. A component still out
of order by hand with no such record opens an interval at its last change."""

from django.db import migrations

OPERATIONAL = "operational"


def backfill(apps, schema_editor):
    Component = apps.get_model("statuspages", "Component")
    IncidentUpdate = apps.get_model("incidents", "IncidentUpdate")
    MaintenanceUpdate = apps.get_model("maintenances", "MaintenanceUpdate")
    StatusInterval = apps.get_model("uptime", "StatusInterval")
    if StatusInterval.objects.exists():
        return
    changes = []
    for model in (IncidentUpdate, MaintenanceUpdate):
        for created_at, records in model.objects.values_list("created_at", "component_statuses"):
            for record in records or []:
                if isinstance(record, dict) and record.get("new_status"):
                    changes.append((created_at, record.get("component_id"), record["new_status"]))
    changes.sort(key=lambda change: change[0])
    pages = dict(Component.objects.values_list("id", "page_id"))
    open_intervals = {}
    finished = []
    for at, component_id, status in changes:
        if component_id not in pages:
            continue
        current = open_intervals.get(component_id)
        if current is not None and current.status == status:
            continue
        if current is not None:
            current.ended_at = at
            finished.append(open_intervals.pop(component_id))
        if status != OPERATIONAL:
            open_intervals[component_id] = StatusInterval(
                page_id=pages[component_id], component_id=component_id, status=status, started_at=at
            )
    for component in Component.objects.exclude(manual_status=OPERATIONAL).exclude(
        id__in=list(open_intervals)
    ):
        open_intervals[component.id] = StatusInterval(
            page_id=component.page_id,
            component_id=component.id,
            status=component.manual_status,
            started_at=component.updated_at,
        )
    StatusInterval.objects.bulk_create([*finished, *open_intervals.values()], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("uptime", "0001_initial"),
        ("incidents", "0001_initial"),
        ("maintenances", "0003_constraint_message"),
        ("statuspages", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
