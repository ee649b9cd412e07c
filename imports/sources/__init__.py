"""One reader per dialect, by the name ``import_page --from`` takes."""

from imports.sources.base import Source
from imports.sources.incident_io import IncidentIoSource
from imports.sources.instatus import InstatusSource
from imports.sources.statuspage import StatuspageSource
from imports.sources.statuspage_public import StatuspagePublicSource

SOURCES: dict[str, type[Source]] = {
    source.kind: source
    for source in (StatuspageSource, InstatusSource, IncidentIoSource, StatuspagePublicSource)
}
