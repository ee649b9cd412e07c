from django.apps import AppConfig


class InstatusConfig(AppConfig):
    name = "dialects.instatus"
    label = "instatus"
    verbose_name = "Instatus API compatibility"
