from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Pages copied from Statuspage, Instatus, incident.io or a public Statuspage-v2 page
    (``import_page``, and the admin's import form): the top layer, beside the dialects. It
    reads other services over HTTP and writes through the domain services."""

    name = "imports"
