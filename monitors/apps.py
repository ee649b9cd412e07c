from django.apps import AppConfig


class MonitorsConfig(AppConfig):
    name = "monitors"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from django.db.models.signals import post_delete

        from audit.recording import register
        from core.admin import scope_choices
        from core.prometheus import register_metrics_source
        from monitors import states, tasks  # noqa: F401 - tasks: registered for scheduling
        from monitors.heartbeats import monitor_deleted
        from monitors.metrics import monitor_metric_lines
        from monitors.models import Monitor
        from statuspages.selectors import page_organization_id
        from statuspages.status import register_component_source

        register_component_source(
            states.monitor_component_statuses,
            hint=("monitor_speaks", states.monitor_component_hint),
        )
        register_metrics_source(monitor_metric_lines)
        post_delete.connect(monitor_deleted, sender=Monitor, dispatch_uid="monitor_deleted")
        scope_choices(Monitor, "page__organization__in")
        register(
            Monitor,
            object_type="monitor",
            organization_id=page_organization_id,
            page_id=lambda monitor: monitor.page_id,
        )
