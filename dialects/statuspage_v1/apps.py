from django.apps import AppConfig


class StatuspageV1Config(AppConfig):
    name = "dialects.statuspage_v1"
    label = "statuspage_v1"
    verbose_name = "Statuspage v1 compatibility"

    def ready(self):
        from core.errors import register_error_dialect
        from dialects.statuspage_v1.errors import STATUSPAGE_ERRORS

        register_error_dialect(STATUSPAGE_ERRORS)
