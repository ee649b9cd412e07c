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

        from audit.recording import register
        from core.admin import scope_choices
        from incidents.models import Incident, IncidentStatus, IncidentUpdate
        from pagetemplates.statuses import register_statuses
        from statuspages.selectors import page_organization_id

        register_statuses("incident", IncidentStatus.choices)
        # The admin offers an operator only their organizations' incidents.
        scope_choices(Incident, "page__organization__in")

        register(
            Incident,
            object_type="incident",
            organization_id=page_organization_id,
            page_id=lambda incident: incident.page_id,
        )
        register(
            IncidentUpdate,
            object_type="incident_update",
            organization_id=lambda update: page_organization_id(update.incident),
            page_id=lambda update: update.incident.page_id,
        )
