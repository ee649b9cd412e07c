from audit.models import AuditEvent


def audit_events_for(
    *,
    organization_id: str,
    page_ids=(),
    actor: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    since=None,
    until=None,
):
    """An organization's events, filtered; ``page_ids`` (a key limited to some pages) keeps
    those pages' events. ``actor`` matches an actor id or an actor type."""
    events = AuditEvent.objects.filter(organization_id=organization_id)
    if page_ids:
        events = events.filter(page_id__in=page_ids)
    if actor:
        events = events.filter(actor_id=actor) | events.filter(actor_type=actor)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action=action)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events
