"""``runserver`` plus what runs beside it in production, so ``make run`` is the whole service.

Without a broker (eager Celery) the beat schedule runs in a thread of this process; with one,
a Celery worker and beat are started as child processes and stopped on exit.
"""

import os
import subprocess
import sys
import threading
import time

from celery import current_app as app  # the project's app (config.celery), set as current
from django.conf import settings
from django.core.management.commands.runserver import Command as RunserverCommand


def _run_schedule_forever(stop: threading.Event) -> None:
    app.loader.import_default_modules()  # registers every app's tasks (autodiscovery is lazy)
    schedule = settings.CELERY_BEAT_SCHEDULE
    last_run = dict.fromkeys(schedule, 0.0)
    while not stop.wait(1.0):
        now = time.monotonic()
        for name, entry in schedule.items():
            interval = float(entry["schedule"])
            if now - last_run[name] >= interval:
                last_run[name] = now
                try:
                    app.tasks[entry["task"]].apply()
                except Exception as exc:  # noqa: BLE001 - keep the scheduler alive
                    sys.stderr.write(f"scheduled task {entry['task']} failed: {exc}\n")


class Command(RunserverCommand):
    help = "Serve the site with the periodic tasks (and, with a broker, a worker and beat)."

    def inner_run(self, *args, **options):
        children = []
        if app.conf.task_always_eager:
            threading.Thread(
                target=_run_schedule_forever, args=(threading.Event(),), daemon=True
            ).start()
            self.stdout.write("Periodic tasks run in this process (Celery eager mode).")
        elif not os.environ.get("SERVE_NO_WORKERS"):
            celery = [sys.executable, "-m", "celery", "-A", "config"]
            children = [
                subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                    [*celery, "worker", "--loglevel=INFO", "--concurrency=2"]
                ),
                subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                    [
                        *celery,
                        "beat",
                        "--loglevel=INFO",  # noqa: S603
                        "--schedule=/tmp/statuspage-celerybeat-schedule",
                    ]
                ),
            ]
            self.stdout.write("Started a Celery worker and beat.")
        base = settings.PUBLIC_BASE_URL
        login = " (log in as admin / admin: development only)" if settings.DEBUG else ""
        self.stdout.write(
            f"\n  Status page: {base}/pages/acme/   (also http://acme.{settings.PUBLIC_BASE_DOMAIN}"
            f":{self.port}/)\n  Public API:  {base}/pages/acme/api/v2/summary.json\n"
            f"  API docs:    {base}/api/docs/\n  Admin:       {base}/admin/{login}\n"
        )
        try:
            super().inner_run(*args, **options)
        finally:
            for child in children:
                child.terminate()
