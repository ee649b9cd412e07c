"""Our rows as Instatus's objects: camelCase names, upper-case statuses, our ids. Fields
Instatus has and we do not (automation e-mails, colours, translations) carry ``null``."""

from django.utils.html import escape

from core.serializers import rfc3339
from dialects.instatus.enums import COMPONENT_OUT, INCIDENT_OUT, MAINTENANCE_OUT, page_status
from maintenances.models import ACTIVE_STATUSES
from statuspages.models import ComponentStatus


def _time(value) -> str | None:
    return rfc3339(value, timespec="milliseconds")


def message_html(message: str) -> str:
    """Instatus's ``messageHtml``: the text escaped, one paragraph per blank-line block."""
    blocks = [block.strip() for block in message.split("\n\n") if block.strip()]
    return "".join(f"<p>{escape(block)}</p>" for block in blocks)


def site_object(page) -> dict:
    return {
        "id": page.id,
        "name": page.name,
        "subdomain": page.slug,
        "color": None,
        "logoUrl": None,
        "publicEmail": None,
    }


def page_object(page, component_statuses: list[str], indicator: str) -> dict:
    return {
        "id": page.id,
        "subdomain": page.slug,
        "name": page.name,
        "workspaceId": page.organization_id,
        "logoUrl": None,
        "faviconUrl": None,
        "websiteUrl": page.url_override or None,
        "customDomain": page.custom_domain,
        "publicEmail": None,
        "twitter": None,
        "status": page_status(component_statuses, indicator),
        "subscribeBySms": True,
        "language": page.default_language,
        "useLargeHeader": False,
        "brandColor": None,
        "okColor": None,
        "disruptedColor": None,
        "degradedColor": None,
        "downColor": None,
        "noticeColor": None,
        "unknownColor": None,
        "googleAnalytics": None,
        "smsService": None,
        "htmlInMeta": None,
        "htmlAboveHeader": None,
        "htmlBelowHeader": None,
        "htmlAboveFooter": None,
        "htmlBelowFooter": None,
        "htmlBelowSummary": None,
        "cssGlobal": None,
        "launchDate": None,
        "onboarded": True,
        "private": not page.is_public,
        "timeZone": page.time_zone,
        "createdAt": _time(page.created_at),
        "updatedAt": _time(page.updated_at),
    }


def group_object(group) -> dict | None:
    if group is None:
        return None
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "order": group.position,
        "siteId": group.page_id,
        "createdAt": _time(group.created_at),
        "updatedAt": _time(group.updated_at),
    }


def component_object(component, status: str) -> dict:
    """``component.group`` is read: select it with the component."""
    return {
        "id": component.id,
        "name": component.name,
        "nameHtml": escape(component.name),
        "description": component.description,
        "status": COMPONENT_OUT[status],
        "uniqueEmail": None,
        "showUptime": component.showcase,
        "order": component.position,
        "group": group_object(component.group),
        "createdAt": _time(component.created_at),
        "updatedAt": _time(component.updated_at),
    }


def _affected(component, status: str, page) -> dict:
    return {
        "id": component.id,
        "name": component.name,
        "status": COMPONENT_OUT[status],
        "showUptime": component.showcase,
        "site": site_object(page),
    }


def _update_fields(update, status: str) -> dict:
    return {
        "id": update.id,
        "message": update.message,
        "messageHtml": message_html(update.message),
        "status": status,
        "notify": update.notify_subscribers,
        "started": _time(update.created_at),
        "ended": None,
        "duration": None,
        "createdAt": _time(update.created_at),
    }


def _incident_components(incident) -> list[dict]:
    return [
        _affected(link.component, link.status, incident.page)
        for link in incident.component_links.all()
    ]


def incident_object(incident) -> dict:
    """Load ``incidents_with_details`` first. Updates oldest first, as Instatus lists them."""
    updates = sorted(incident.updates.all(), key=lambda u: (u.created_at, u.id))
    return {
        "id": incident.id,
        "name": incident.name,
        "status": INCIDENT_OUT[incident.status],
        "impact": incident.impact.upper(),
        "started": _time(incident.started_at),
        "resolved": _time(incident.resolved_at),
        "updates": [_update_fields(u, INCIDENT_OUT[u.status]) for u in updates],
        "components": _incident_components(incident),
    }


def incident_update_object(update, incident) -> dict:
    return {
        **_update_fields(update, INCIDENT_OUT[update.status]),
        "incident": {
            "id": incident.id,
            "name": incident.name,
            "started": _time(incident.started_at),
            "status": INCIDENT_OUT[incident.status],
            "components": _incident_components(incident),
        },
    }


def _maintenance_components(maintenance) -> list[dict]:
    status = (
        ComponentStatus.UNDER_MAINTENANCE
        if maintenance.status in ACTIVE_STATUSES
        else ComponentStatus.OPERATIONAL
    )
    return [_affected(c, status, maintenance.page) for c in maintenance.components.all()]


def maintenance_object(maintenance) -> dict:
    """Load ``maintenances_with_details`` first. ``duration`` is in minutes, as in Instatus."""
    updates = sorted(maintenance.updates.all(), key=lambda u: (u.created_at, u.id))
    return {
        "id": maintenance.id,
        "name": maintenance.name,
        "status": MAINTENANCE_OUT[maintenance.status],
        "start": _time(maintenance.start_at),
        "end": _time(maintenance.end_at),
        "duration": int((maintenance.end_at - maintenance.start_at).total_seconds() // 60),
        "notifyStart": True,
        "notifyEnd": True,
        "notifyEarly": False,
        "notifyMinutes": None,
        "autoStart": maintenance.auto_transition,
        "autoEnd": maintenance.auto_transition,
        "updates": [_update_fields(u, MAINTENANCE_OUT[u.status]) for u in updates],
        "components": _maintenance_components(maintenance),
    }


def maintenance_update_object(update, maintenance) -> dict:
    return {
        **_update_fields(update, MAINTENANCE_OUT[update.status]),
        "maintenance": {
            "id": maintenance.id,
            "name": maintenance.name,
            "start": _time(maintenance.start_at),
            "status": MAINTENANCE_OUT[maintenance.status],
            "components": _maintenance_components(maintenance),
        },
    }
