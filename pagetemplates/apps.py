from django.apps import AppConfig


class PagetemplatesConfig(AppConfig):
    name = "pagetemplates"
    verbose_name = "Templates"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from audit.recording import register
        from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
        from statuspages.selectors import page_organization_id

        for model, object_type in (
            (IncidentTemplate, "incident_template"),
            (MaintenanceTemplate, "maintenance_template"),
        ):
            register(
                model,
                object_type=object_type,
                organization_id=page_organization_id,
                page_id=lambda template: template.page_id,
            )
