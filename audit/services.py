from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent


def audit_events_purge(*, now=None) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted
