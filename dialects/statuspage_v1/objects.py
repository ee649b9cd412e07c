"""Our rows as Statuspage's v1 objects (page, component, group, incident, incident update,
subscriber, incident template), with Statuspage's field names and values. Ids are ours;
fields we have no equivalent for carry Statuspage's neutral value (``null``, ``false``).

Page, component, group, incident and update are Statuspage's public shapes
(``statuspages.shapes``, ``incidents.shapes``, ``maintenances.shapes``) extended with the
fields only the v1 API has; they are never built again here."""

from core.serializers import rfc3339
from incidents.shapes import incident_shape
from maintenances.models import ACTIVE_STATUSES
from maintenances.shapes import maintenance_shape
from statuspages.models import ComponentStatus
from statuspages.shapes import (
    component_group_shape,
    component_shape,
    page_shape,
    update_shape,
)


def _time(value) -> str | None:
    return rfc3339(value, timespec="milliseconds")


def page_object(page) -> dict:
    return {
        **page_shape(page, updated_at=page.updated_at),
        "created_at": _time(page.created_at),
        "page_description": None,
        "headline": None,
        "branding": "basic",
        "subdomain": page.slug,
        "domain": page.custom_domain,
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
    }


# What a v1 component has beyond the public one.
V1_COMPONENT_FIELDS = {"automation_email": None}


def component_object(component, status: str) -> dict:
    return {**component_shape(component, status), **V1_COMPONENT_FIELDS}


def group_object(group, component_ids: list[str]) -> dict:
    return component_group_shape(group, component_ids)


def _v1_update(update: dict) -> dict:
    """The public update plus v1's tweet fields; v1 documents ``affected_components`` as a
    list, so an update that moved nothing has an empty one rather than ``null``."""
    return {
        **update,
        "affected_components": update["affected_components"] or [],
        "twitter_updated_at": None,
        "wants_twitter_update": False,
    }


def update_object(update, subject_id: str) -> dict:
    return _v1_update(update_shape(update, incident_id=subject_id))


def _v1_incident(shape: dict, **fields) -> dict:
    """The public incident (``shape``) extended with v1's postmortem and scheduling fields at
    their defaults, ``fields`` set, and its components and updates as v1 objects."""
    return {
        **shape,
        "impact_override": None,
        "metadata": {},
        "postmortem_body": None,
        "postmortem_body_last_updated_at": None,
        "postmortem_ignored": False,
        "postmortem_notified_subscribers": False,
        "postmortem_notified_twitter": False,
        "postmortem_published_at": None,
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
        **{key: shape[key] for key in ("scheduled_for", "scheduled_until") if key in shape},
        **fields,
        "components": [{**component, **V1_COMPONENT_FIELDS} for component in shape["components"]],
        "incident_updates": [_v1_update(update) for update in shape["incident_updates"]],
    }


def incident_object(incident) -> dict:
    """An incident prefetched by ``incidents.selectors.incidents_with_details``; each of its
    components carries the status this incident gives it. v1 has no ``postmortem`` status:
    a resolved incident stays ``resolved`` there, its postmortem in ``postmortem_body``."""
    shape = incident_shape(
        incident,
        components=[(link.component, link.status) for link in incident.component_links.all()],
    )
    return _v1_incident(
        shape,
        status=incident.status,
        impact_override=incident.impact_override,
        postmortem_body=incident.postmortem or None,
        postmortem_body_last_updated_at=_time(incident.postmortem_published_at),
        postmortem_published_at=_time(incident.postmortem_published_at),
    )


def maintenance_object(maintenance) -> dict:
    """A maintenance window (prefetched by ``maintenances_with_details``) as Statuspage's
    scheduled incident."""
    component_status = (
        ComponentStatus.UNDER_MAINTENANCE
        if maintenance.status in ACTIVE_STATUSES
        else ComponentStatus.OPERATIONAL
    )
    shape = maintenance_shape(
        maintenance,
        components=[(component, component_status) for component in maintenance.components.all()],
    )
    return _v1_incident(
        shape,
        scheduled_auto_in_progress=maintenance.auto_transition,
        scheduled_auto_completed=maintenance.auto_transition,
        auto_transition_to_maintenance_state=maintenance.auto_transition,
        auto_transition_to_operational_state=maintenance.auto_transition,
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
