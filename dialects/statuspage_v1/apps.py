from django.apps import AppConfig


class StatuspageV1Config(AppConfig):
    name = "dialects.statuspage_v1"
    label = "statuspage_v1"
    verbose_name = "Statuspage v1 compatibility"
