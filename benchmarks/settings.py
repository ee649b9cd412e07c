"""Settings of the HTTP benchmark's server (benchmarks.http): the project's, plus a bare view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
# No collectstatic in a throw-away run; the pages under test serve no static files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
