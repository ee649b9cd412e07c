from django.db import models
from django.utils import timezone


class Upstream(models.Model):
    """A Statuspage-v2 page that components mirror (``Component.upstream_url``), whatever the
    number of components and organizations that do: polled at most once a minute, with the
    ``ETag`` of its last answer. Keeps the last good reading (the page's name, indicator and
    components) and why the latest poll failed, if it did; after failures in a row the next
    poll waits longer. The components' own fields say what each mirrors."""

    url = models.CharField(max_length=1024, unique=True)  # as statuspages.upstreams checks it
    etag = models.CharField(max_length=1024, blank=True, default="")
    name = models.CharField(max_length=255, blank=True, default="")
    indicator = models.CharField(max_length=16, blank=True, default="")
    # [{id, name, status, group, group_id}] in the page's order, statuses as it published them.
    components = models.JSONField(default=list, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # the last good reading (200 or 304)
    polled_at = models.DateTimeField(null=True, blank=True)  # the last poll, answered or not
    # Not polled before: a minute after the last poll, later after failures in a row.
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    error = models.CharField(max_length=1000, blank=True, default="")
    failures = models.PositiveIntegerField(default=0)  # in a row
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]

    def __str__(self):
        return self.url
