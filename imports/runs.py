"""Imports started from the admin: a run is recorded, a worker takes it (and blanks its API
key), and the run's row shows its progress, its counts and what it said until it ends."""

import logging
import time

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import acting
from imports.http import SourceUnreadable, base_url_checked
from imports.models import ImportRun, ImportStatus, SourceKind
from imports.running import ImportFailed, page_import
from imports.sources import SOURCES

# The task, found by name in the app's registry (imports.tasks imports this module).
IMPORT_TASK = "imports.tasks.import_run"

logger = logging.getLogger(__name__)

# The run's row is written at most this often while it runs (and at the end).
PROGRESS_EVERY_SECONDS = 1.0
LOG_MAX_LENGTH = 200_000


def import_run_start(
    *,
    organization,
    source_kind: str,
    url: str,
    api_key: str = "",
    source_page_id: str = "",
    with_subscribers: bool = False,
    dry_run: bool = False,
    started_by=None,
) -> ImportRun:
    """Record a run and queue it after commit. Refuses what the command would refuse before
    reading anything (an unknown source, a URL that is not http(s), a missing key)."""
    if source_kind not in SourceKind.values:
        raise ValidationError({"source_kind": ["Choose a source."]})
    try:
        url = base_url_checked(url)
    except SourceUnreadable as exc:
        raise ValidationError({"url": [str(exc)]}) from exc
    if SOURCES[source_kind].needs_key and not api_key:
        raise ValidationError({"api_key": [f"{SOURCES[source_kind].label} needs an API key."]})
    with transaction.atomic():
        run = ImportRun.objects.create(
            organization=organization,
            source_kind=source_kind,
            url=url,
            api_key=api_key,
            source_page_id=source_page_id,
            with_subscribers=with_subscribers,
            dry_run=dry_run,
            started_by=started_by,
        )
        transaction.on_commit(lambda: _enqueue(run.id))
    return run


def _enqueue(run_id: str) -> None:
    try:
        current_app.tasks[IMPORT_TASK].delay(run_id)
    except Exception:  # broker down: the run stays pending, its key blanked
        logger.exception("Could not queue import run %s", run_id)
        ImportRun.objects.filter(id=run_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.FAILED,
            api_key="",
            log="Could not queue the import (is the worker's broker up?).",
            finished_at=timezone.now(),
        )


class RunProgress:
    """The run's counters on its row, written at most once a second."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.written_at = 0.0

    def start(self, total: int) -> None:
        self.run.total = total
        self._write(force=True)

    def advance(self, line: str) -> None:
        self.run.done += 1
        self._write()

    def close(self) -> None:
        self._write(force=True)

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.written_at >= PROGRESS_EVERY_SECONDS:
            self.written_at = now
            ImportRun.objects.filter(id=self.run.id).update(
                total=self.run.total, done=self.run.done
            )


def import_run_execute(*, run_id: str) -> None:
    """Take the run (once: a redelivered task finds it taken and stops) and import."""
    run = ImportRun.objects.filter(id=run_id, status=ImportStatus.PENDING).first()
    if run is None:
        return
    api_key = run.api_key
    # The key leaves the database as the run starts: it lives only in this process now.
    taken = ImportRun.objects.filter(id=run_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, api_key="", started_at=timezone.now()
    )
    if not taken:
        return
    run.refresh_from_db()
    lines: list[str] = []
    try:
        with acting(user=run.started_by):
            report = page_import(
                organization=run.organization,
                source_kind=run.source_kind,
                url=run.url,
                api_key=api_key,
                page_id=run.source_page_id,
                with_subscribers=run.with_subscribers,
                dry_run=run.dry_run,
                progress=RunProgress(run),
                say=lines.append,
            )
    except ImportFailed as exc:
        lines.append(str(exc))
        _finish(run, ImportStatus.FAILED, lines)
        return
    except Exception:
        logger.exception("Import run %s failed", run_id)
        lines.append("The import stopped on an internal error (see the worker's log).")
        _finish(run, ImportStatus.FAILED, lines)
        raise
    outcome = report.outcome
    lines.extend(report.problems)
    if run.dry_run:
        lines.extend(f"would {line}" for line in outcome.plan)
        lines.append("dry run: nothing was written")
    lines.append(report.summary)
    run.created_count, run.updated_count = outcome.created, outcome.updated
    run.skipped_count = len(report.problems)
    run.page = outcome.page
    _finish(run, ImportStatus.SUCCEEDED, lines)


def _finish(run: ImportRun, status: str, lines: list[str]) -> None:
    run.status = status
    run.log = "\n".join(lines)[-LOG_MAX_LENGTH:]
    run.finished_at = timezone.now()
    run.api_key = ""
    run.save()
