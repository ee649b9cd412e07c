from django.apps import AppConfig


class InstatusConfig(AppConfig):
    name = "dialects.instatus"
    label = "instatus"
    verbose_name = "Instatus API compatibility"

    def ready(self):
        from core.errors import register_error_dialect
        from dialects.instatus.errors import INSTATUS_ERRORS

        register_error_dialect(INSTATUS_ERRORS)
