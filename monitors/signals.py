"""Signals of the monitors app, for the apps above it (they connect in ``AppConfig.ready``).

``results_recorded``: check results were recorded, sent after the recording transaction
commits (never for results that were rolled back), once per location and batch, with

- ``location`` (str): the location the results came from;
- ``results`` (list of ``(monitor, monitors.states.CheckedResult)``): the results as stored,
  each with its monitor: a ``Monitor``, or on the scheduler's bulk path the light record
  ``monitors.recording.Watched``; rely on ``id, page_id, name, publish_latency, component_id``
  only.

``sender`` is ``MonitorResult``. A receiver runs outside the recording transaction, in the
process that recorded the results (a worker's recorder, or a request for the API); it must do
a fixed number of queries however many results it gets, since one batch may hold thousands.
"""

from django.dispatch import Signal

results_recorded = Signal()
