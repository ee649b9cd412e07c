from django.apps import AppConfig


class StatuspageV1Config(AppConfig):
    name = "statuspage_v1"
    verbose_name = "Statuspage v1 compatibility"
