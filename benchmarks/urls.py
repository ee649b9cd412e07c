"""The project's routes plus ``/bench/bare/{name}``: a Django view that returns fixed bytes (the
file ``name`` in BENCH_BARE_DIR, read at start) through the same middleware, the yardstick a
cached public document of the same size is measured against."""

import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

_BODIES = {
    entry.name: entry.read_bytes()
    for entry in Path(os.environ.get("BENCH_BARE_DIR", "/nonexistent")).glob("*")
}


def bare_view(request, name: str):
    if name not in _BODIES:
        raise Http404(name)
    return HttpResponse(_BODIES[name], content_type="application/json; charset=utf-8")


urlpatterns = [path("bench/bare/<str:name>", bare_view), *project_urlpatterns]
