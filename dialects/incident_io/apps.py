from django.apps import AppConfig


class IncidentIoConfig(AppConfig):
    name = "dialects.incident_io"
    label = "incident_io"
    verbose_name = "incident.io Status Pages V2 compatibility"

    def ready(self):
        from core.errors import register_error_dialect
        from dialects.incident_io.errors import INCIDENT_IO_ERRORS

        register_error_dialect(INCIDENT_IO_ERRORS)
