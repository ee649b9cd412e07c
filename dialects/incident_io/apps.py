from django.apps import AppConfig


class IncidentIoConfig(AppConfig):
    name = "dialects.incident_io"
    label = "incident_io"
    verbose_name = "incident.io Status Pages V2 compatibility"
