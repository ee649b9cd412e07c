from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo page and its story (``seed_demo``): the top layer, free to use every app."""

    name = "demo"
