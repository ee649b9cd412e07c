from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from incidents import status
        from statuspages.services import register_component_usage_check
        from statuspages.status import register_component_source, register_page_source

        register_component_source(status.incident_component_statuses)
        register_page_source(status.incident_page_signals)
        register_component_usage_check(status.component_used_by_incident)
