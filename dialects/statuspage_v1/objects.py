"""Our rows as Statuspage's v1 objects (page, component, group, incident, incident update,
subscriber, incident template), with Statuspage's field names and values. Ids are ours;
fields we have no equivalent for carry Statuspage's neutral value (``null``, ``false``)."""

from core.serializers import rfc3339
from maintenances.models import ACTIVE_STATUSES
from maintenances.services import maintenance_shortlink
from statuspages.models import ComponentStatus


def _time(value) -> str | None:
    return rfc3339(value, timespec="milliseconds")


def page_object(page) -> dict:
    return {
        "id": page.id,
        "created_at": _time(page.created_at),
        "updated_at": _time(page.updated_at),
        "name": page.name,
        "page_description": None,
        "headline": None,
        "branding": "basic",
        "subdomain": page.slug,
        "domain": page.custom_domain,
        "url": page.public_url,
        "support_url": None,
        "hidden_from_search": not page.is_public,
        "allow_page_subscribers": True,
        "allow_incident_subscribers": True,
        "allow_email_subscribers": True,
        "allow_sms_subscribers": True,
        "allow_rss_atom_feeds": True,
        "allow_webhook_subscribers": True,
        "notifications_from_email": None,
        "notifications_email_footer": None,
        "activity_score": 0,
        "twitter_username": None,
        # Statuspage's own flag for a page only its admitted readers see (our visibility).
        "viewers_must_be_team_members": not page.is_public,
        "ip_restrictions": None,
        "city": None,
        "state": None,
        "country": None,
        "time_zone": page.time_zone,
    }


def component_object(component, status: str) -> dict:
    return {
        "id": component.id,
        "page_id": component.page_id,
        "group_id": component.group_id,
        "created_at": _time(component.created_at),
        "updated_at": _time(component.updated_at),
        "group": False,
        "name": component.name,
        "description": component.description or None,
        "position": component.position,
        "status": status,
        "showcase": component.showcase,
        "only_show_if_degraded": component.only_show_if_degraded,
        "automation_email": None,
        "start_date": component.start_date.isoformat() if component.start_date else None,
    }


def group_object(group, component_ids: list[str]) -> dict:
    return {
        "id": group.id,
        "page_id": group.page_id,
        "name": group.name,
        "description": group.description or None,
        "components": component_ids,
        "position": group.position,
        "created_at": _time(group.created_at),
        "updated_at": _time(group.updated_at),
    }


def update_object(update, subject_id: str) -> dict:
    return {
        "id": update.id,
        "incident_id": subject_id,
        "affected_components": [
            {
                "code": change["component_id"],
                "name": change["name"],
                "old_status": change["old_status"],
                "new_status": change["new_status"],
            }
            for change in update.component_statuses
        ],
        "body": update.message,
        "created_at": _time(update.created_at),
        "custom_tweet": None,
        "deliver_notifications": update.notify_subscribers,
        "display_at": _time(update.created_at),
        "status": update.status,
        "tweet_id": None,
        "twitter_updated_at": None,
        "updated_at": _time(update.created_at),
        "wants_twitter_update": False,
    }


def _incident_fields(**fields) -> dict:
    """Statuspage's incident with the scheduling and postmortem fields at their defaults."""
    base = {
        "impact_override": None,
        "metadata": {},
        "monitoring_at": None,
        "postmortem_body": None,
        "postmortem_body_last_updated_at": None,
        "postmortem_ignored": False,
        "postmortem_notified_subscribers": False,
        "postmortem_notified_twitter": False,
        "postmortem_published_at": None,
        "resolved_at": None,
        "scheduled_auto_completed": False,
        "scheduled_auto_in_progress": False,
        "scheduled_for": None,
        "auto_transition_deliver_notifications_at_end": False,
        "auto_transition_deliver_notifications_at_start": False,
        "auto_transition_to_maintenance_state": False,
        "auto_transition_to_operational_state": False,
        "scheduled_remind_prior": False,
        "scheduled_reminded_at": None,
        "scheduled_until": None,
        "reminder_intervals": None,
    }
    base.update(fields)
    return base


def incident_object(incident) -> dict:
    """An incident prefetched by ``incidents.selectors.incidents_with_details``; each of its
    components carries the status this incident gives it."""
    return _incident_fields(
        id=incident.id,
        page_id=incident.page_id,
        name=incident.name,
        status=incident.status,
        impact=incident.impact,
        impact_override=incident.impact_override,
        shortlink=incident.shortlink,
        started_at=_time(incident.started_at),
        created_at=_time(incident.created_at),
        updated_at=_time(incident.updated_at),
        monitoring_at=_time(incident.monitoring_at),
        resolved_at=_time(incident.resolved_at),
        postmortem_body=incident.postmortem or None,
        postmortem_body_last_updated_at=_time(incident.postmortem_published_at),
        postmortem_published_at=_time(incident.postmortem_published_at),
        components=[
            component_object(link.component, link.status) for link in incident.component_links.all()
        ],
        incident_updates=[update_object(update, incident.id) for update in incident.updates.all()],
    )


def maintenance_object(maintenance) -> dict:
    """A maintenance window (prefetched by ``maintenances_with_details``) as Statuspage's
    scheduled incident."""
    component_status = (
        ComponentStatus.UNDER_MAINTENANCE
        if maintenance.status in ACTIVE_STATUSES
        else ComponentStatus.OPERATIONAL
    )
    return _incident_fields(
        id=maintenance.id,
        page_id=maintenance.page_id,
        name=maintenance.name,
        status=maintenance.status,
        impact="maintenance",
        shortlink=maintenance_shortlink(maintenance),
        started_at=_time(maintenance.started_at or maintenance.start_at),
        created_at=_time(maintenance.created_at),
        updated_at=_time(maintenance.updated_at),
        resolved_at=_time(maintenance.completed_at),
        scheduled_for=_time(maintenance.start_at),
        scheduled_until=_time(maintenance.end_at),
        scheduled_auto_in_progress=maintenance.auto_transition,
        scheduled_auto_completed=maintenance.auto_transition,
        auto_transition_to_maintenance_state=maintenance.auto_transition,
        auto_transition_to_operational_state=maintenance.auto_transition,
        components=[
            component_object(component, component_status)
            for component in maintenance.components.all()
        ],
        incident_updates=[
            update_object(update, maintenance.id) for update in maintenance.updates.all()
        ],
    )


def subscriber_object(subscriber) -> dict:
    return {
        "id": subscriber.id,
        "skip_confirmation_notification": False,
        "mode": subscriber.channel,
        "email": subscriber.email or None,
        "endpoint": subscriber.endpoint or None,
        "phone_number": subscriber.phone_number or None,
        "phone_country": subscriber.phone_country or None,
        "display_phone_number": subscriber.phone_number or None,
        "obfuscated_channel_name": None,
        "workspace_name": None,
        "quarantined_at": _time(subscriber.quarantined_at),
        "purge_at": None,
        "components": list(subscriber.component_ids),
        "page_access_user_id": None,
        "created_at": _time(subscriber.created_at),
    }


def template_component_ids(template) -> list[str]:
    """The components an incident or maintenance template lists, in its order."""
    if hasattr(template, "component_statuses"):
        return [entry["component_id"] for entry in template.component_statuses]
    return list(template.component_ids)


def template_object(template, components: list[dict]) -> dict:
    """An incident or maintenance template as Statuspage's incident template; ``components``
    are the component objects it lists. We have no template groups and no tweets."""
    return {
        "id": template.id,
        "components": components,
        "name": template.name,
        "title": template.title,
        "body": template.message,
        "group_id": None,
        "update_status": template.status or None,
        "should_tweet": False,
        "should_send_notifications": template.notify_subscribers,
    }
