from django.apps import AppConfig


class UptimeConfig(AppConfig):
    name = "uptime"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from statuspages.publishing import register_status_change_sink
        from uptime.services import status_change_record

        register_status_change_sink(status_change_record)
