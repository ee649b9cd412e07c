from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from core.prometheus import register_metrics_source
        from notifications.metrics import notification_metric_lines
        from notifications.tasks import event_record
        from statuspages.publishing import register_event_sink

        # Every published event is recorded for fan-out in the publishing transaction.
        register_event_sink(event_record)
        register_metrics_source(notification_metric_lines)
