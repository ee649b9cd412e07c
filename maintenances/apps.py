from django.apps import AppConfig


class MaintenancesConfig(AppConfig):
    name = "maintenances"
