"""One import from start to end, as the command and the admin's task run it: read the source
into a snapshot, then write it, reporting progress and every item not written."""

from collections.abc import Callable
from dataclasses import dataclass, field

from imports.http import SourceUnreadable
from imports.snapshot import Snapshot
from imports.sources import SOURCES
from imports.writing import Outcome, PageRefused, PageWriter, objects_total

__all__ = ["ImportFailed", "Report", "page_import"]


class ImportFailed(Exception):
    """The source could not be read, or its page not written: nothing was imported."""


@dataclass
class Report:
    outcome: Outcome
    snapshot: Snapshot
    requests: int
    problems: list[str] = field(default_factory=list)  # unreadable or refused, one a line

    @property
    def summary(self) -> str:
        """The command's last line."""
        o = self.outcome
        return f"imported {o.imported} objects ({o.created} created, {o.updated} updated)"


def page_import(
    *,
    organization,
    source_kind: str,
    url: str,
    api_key: str = "",
    page_id: str = "",
    with_subscribers: bool = False,
    dry_run: bool = False,
    progress=None,
    say: Callable[[str], None] = lambda line: None,
) -> Report:
    """Import one page of ``source_kind`` at ``url`` into ``organization``. ``progress``:
    ``start(total)``, ``advance(line)``, ``close()``; ``say``: lines worth telling as it goes
    (notes about the source). Raises ImportFailed when the source cannot be read."""
    if source_kind not in SOURCES:
        raise ImportFailed(f"Unknown source {source_kind!r}; use one of {', '.join(SOURCES)}.")
    try:
        source = SOURCES[source_kind](url, api_key)
        snapshot = source.snapshot(page_id=page_id or None, with_subscribers=with_subscribers)
    except SourceUnreadable as exc:
        raise ImportFailed(str(exc)) from exc
    for note in snapshot.notes:
        say(f"note: {note}")
    if with_subscribers and source_kind in ("incident-io", "statuspage-public"):
        say(f"note: {source.label} gives no subscribers: --with-subscribers imports none.")
    say(
        f"read {objects_total(snapshot)} objects from {source.label} "
        f"in {source.client.requests} requests"
    )
    problems = [
        f"skipped {item.kind} {item.source_id}: could not be read ({item.reason})"
        for item in snapshot.unreadable
    ]
    writer = PageWriter(
        organization=organization,
        source_kind=source_kind,
        snapshot=snapshot,
        advance=progress.advance if progress is not None else (lambda line: None),
    )
    if progress is not None:
        progress.start(objects_total(snapshot))
    try:
        outcome = writer.run(dry_run=dry_run)
    except PageRefused as exc:
        raise ImportFailed(f"The page could not be written: {exc}") from exc
    finally:
        if progress is not None:
            progress.close()
    return Report(
        outcome=outcome,
        snapshot=snapshot,
        requests=source.client.requests,
        problems=problems + outcome.skipped,
    )
