from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Pages copied from Statuspage, Instatus, incident.io or a public Statuspage-v2 page
    (``import_page``, and the admin's import form): the top layer, beside the dialects. It
    reads other services over HTTP and writes through the domain services."""

    name = "imports"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from audit.recording import register
        from imports import tasks  # noqa: F401 - registered: runs are queued by the task's name
        from imports.models import ImportRun

        # A run an operator started is theirs to see in the log (its key never is); the source
        # records are the import's bookkeeping.
        register(
            ImportRun,
            object_type="import_run",
            organization_id=lambda run: run.organization_id,
            secret_fields=("api_key",),
        )
