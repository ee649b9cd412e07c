from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        from notifications.services import notification_event_record
        from statuspages.publishing import register_event_sink

        # Every published event is recorded for fan-out in the publishing transaction.
        register_event_sink(notification_event_record)
