from django.apps import AppConfig


class MaintenancesConfig(AppConfig):
    name = "maintenances"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from maintenances import status
        from statuspages.services import register_component_usage_check
        from statuspages.status import register_component_source, register_page_source

        register_component_source(status.maintenance_component_statuses)
        register_page_source(status.maintenance_page_signals)
        register_component_usage_check(status.component_used_by_maintenance)

        from audit.recording import register
        from maintenances.models import Maintenance, MaintenanceStatus, MaintenanceUpdate
        from pagetemplates.statuses import register_statuses
        from statuspages.selectors import page_organization_id

        register_statuses("maintenance", MaintenanceStatus.choices)

        register(
            Maintenance,
            object_type="maintenance",
            organization_id=page_organization_id,
            page_id=lambda maintenance: maintenance.page_id,
        )
        register(
            MaintenanceUpdate,
            object_type="maintenance_update",
            organization_id=lambda update: page_organization_id(update.maintenance),
            page_id=lambda update: update.maintenance.page_id,
        )
