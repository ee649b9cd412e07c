"""Statuspage's request bodies: ``{"incident": {...}}`` and friends. Like Statuspage, fields
this service has no use for (tweets, reminders, metadata, template groups) are accepted and
ignored. Only Statuspage's names and types are read here; what a value may be (lengths,
statuses, required fields, components of the page, time zones, domains) is the services'
rule, and their refusal comes back under Statuspage's field names (``*_FIELD_NAMES``)."""

import datetime

from rest_framework import serializers

from core.serializers import TimestampField
from incidents.models import IncidentStatus
from maintenances.models import MaintenanceStatus
from pagetemplates.models import IncidentTemplate, MaintenanceTemplate
from statuspages.models import ComponentStatus
from subscribers.models import SubscriberState

# Our services' argument names as Statuspage's bodies call them (their refusals say these).
PAGE_FIELD_NAMES = {"slug": "subdomain", "custom_domain": "domain", "url_override": "url"}
COMPONENT_FIELD_NAMES = {"manual_status": "status", "group": "group_id"}
GROUP_FIELD_NAMES = {"component_ids": "components"}
INCIDENT_FIELD_NAMES = {
    "message": "body",
    "component_statuses": "components",
    "notify_subscribers": "deliver_notifications",
    "start_at": "scheduled_for",
    "end_at": "scheduled_until",
}
TEMPLATE_FIELD_NAMES = {"message": "body", "status": "update_status"}


def nested_body(data, name: str) -> dict:
    """The object under ``name`` (``{"incident": {...}}``); a 422 if there is none."""
    body = data.get(name) if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise serializers.ValidationError({name: [f"Send the fields inside a '{name}' object."]})
    return body


class PageIn(serializers.Serializer):
    """What the page may be told; ``status_page_update`` normalises and checks each value."""

    name = serializers.CharField(required=False, allow_blank=True)
    subdomain = serializers.CharField(required=False, allow_blank=True)
    domain = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    url = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    time_zone = serializers.CharField(required=False, allow_blank=True)

    def changes(self) -> dict:
        """In ``status_page_update`` terms."""
        renamed = {"subdomain": "slug", "domain": "custom_domain", "url": "url_override"}
        return {renamed.get(name, name): value for name, value in self.validated_data.items()}


class ComponentIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    # "" is Statuspage's "no change"; any other value is for component_update to judge.
    status = serializers.CharField(required=False, allow_blank=True)
    group_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    only_show_if_degraded = serializers.BooleanField(required=False)
    showcase = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)


class GroupIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    components = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )


class IncidentIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=[*IncidentStatus.values, *MaintenanceStatus.values], required=False
    )
    # "" clears it; any other value is for the incidents service to judge.
    impact_override = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    components = serializers.DictField(child=serializers.CharField(), required=False)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False
    )
    deliver_notifications = serializers.BooleanField(required=False)
    backfilled = serializers.BooleanField(required=False)
    backfill_date = serializers.CharField(max_length=64, required=False, allow_blank=True)
    scheduled_for = TimestampField(required=False, allow_null=True)
    scheduled_until = TimestampField(required=False, allow_null=True)
    scheduled_auto_in_progress = serializers.BooleanField(required=False)
    scheduled_auto_completed = serializers.BooleanField(required=False)
    scheduled_auto_transition = serializers.BooleanField(required=False)
    auto_transition_to_maintenance_state = serializers.BooleanField(required=False)
    auto_transition_to_operational_state = serializers.BooleanField(required=False)
    # Statuspage keeps it; we have nowhere to: checked to be an object, then not kept.
    metadata = serializers.DictField(required=False, allow_null=True)

    AUTO_FIELDS = (
        "scheduled_auto_in_progress",
        "scheduled_auto_completed",
        "scheduled_auto_transition",
        "auto_transition_to_maintenance_state",
        "auto_transition_to_operational_state",
    )

    def validate_backfill_date(self, value):
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(value[:10])
        except ValueError as exc:
            raise serializers.ValidationError("Use a date such as 2024-05-01.") from exc
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)

    @property
    def is_scheduled(self) -> bool:
        data = self.validated_data
        return bool(data.get("scheduled_for")) or data.get("status") in MaintenanceStatus.values

    def component_statuses(self) -> list[dict]:
        """The ``components`` map, then ``component_ids`` it does not name (attached to the
        incident without changing their status: ``operational`` within it)."""
        statuses = dict(self.validated_data.get("components") or {})
        for component_id in self.validated_data.get("component_ids") or []:
            statuses.setdefault(component_id, ComponentStatus.OPERATIONAL)
        return [{"component_id": cid, "status": status} for cid, status in statuses.items()]

    def affected_component_ids(self) -> list[str] | None:
        data = self.validated_data
        if "component_ids" not in data and "components" not in data:
            return None
        ids = list(data.get("component_ids") or [])
        ids += [cid for cid in data.get("components") or {} if cid not in ids]
        return ids

    def maintenance_arguments(self) -> dict:
        """A scheduled incident in ``maintenance_create`` terms."""
        data = self.validated_data
        return {
            "name": data.get("name"),
            "start_at": data.get("scheduled_for"),
            "end_at": data.get("scheduled_until"),
            "message": data.get("body") or "",
            "component_ids": self.affected_component_ids() or [],
            "status": data.get("status", MaintenanceStatus.SCHEDULED),
            # Statuspage's default: a scheduled incident moves only when told to.
            "auto_transition": self.auto_transition(default=False),
            "notify_subscribers": data.get("deliver_notifications", True),
        }

    def incident_arguments(self) -> dict:
        """An incident in ``incident_create`` terms. A backfilled one is resolved history
        (at ``backfill_date``) that notifies nobody."""
        data = self.validated_data
        backfilled = data.get("backfilled", False)
        status = IncidentStatus.RESOLVED if backfilled else data.get("status")
        status = status or IncidentStatus.INVESTIGATING
        return {
            "name": data.get("name"),
            "status": status,
            "message": data.get("body") or "",
            # Resolving leaves every component operational within the incident.
            "component_statuses": (
                [] if status == IncidentStatus.RESOLVED else self.component_statuses()
            ),
            "impact_override": data.get("impact_override") or None,
            "notify_subscribers": False if backfilled else data.get("deliver_notifications", True),
            "started_at": data.get("backfill_date") if backfilled else None,
        }

    def auto_transition(self, default: bool) -> bool:
        given = [
            self.validated_data[name] for name in self.AUTO_FIELDS if name in self.validated_data
        ]
        return any(given) if given else default


class IncidentUpdateIn(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)


class TemplateIn(serializers.Serializer):
    """Statuspage's one kind of template; ``update_status`` decides which of our two it is."""

    name = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    group_id = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    update_status = serializers.ChoiceField(
        choices=[*IncidentStatus.values, *MaintenanceStatus.values, "postmortem"],
        required=False,
        allow_null=True,
    )
    should_tweet = serializers.BooleanField(required=False)
    should_send_notifications = serializers.BooleanField(required=False)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )

    def validate_update_status(self, value):
        if value == "postmortem":
            raise serializers.ValidationError("Postmortem templates are not supported.")
        return value

    def service_arguments(self) -> tuple[type, dict]:
        """The model (a maintenance status makes a maintenance template) and its
        ``template_create`` fields. Listed components join an incident without a status of
        their own (``operational`` within it), as ``component_ids`` do on an incident."""
        data = self.validated_data
        status = data.get("update_status") or ""
        component_ids = data.get("component_ids", [])
        arguments = {
            "name": data.get("name", ""),
            "title": data.get("title", ""),
            "message": data.get("body", ""),
            "status": status,
        }
        if "should_send_notifications" in data:
            arguments["notify_subscribers"] = data["should_send_notifications"]
        if status in MaintenanceStatus.values:
            return MaintenanceTemplate, {**arguments, "component_ids": component_ids}
        component_statuses = [
            {"component_id": component_id, "status": ComponentStatus.OPERATIONAL}
            for component_id in component_ids
        ]
        return IncidentTemplate, {**arguments, "component_statuses": component_statuses}


class SubscriberIn(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    endpoint = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    phone_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    phone_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    skip_confirmation_notification = serializers.BooleanField(required=False, default=False)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=1000
    )

    def service_arguments(self) -> dict:
        data = self.validated_data
        # The address given decides the channel (none: email, whose address the service asks).
        if data.get("endpoint"):
            channel = "webhook"
        elif data.get("phone_number"):
            channel = "sms"
        else:
            channel = "email"
        return {
            "channel": channel,
            "email": data.get("email", ""),
            "endpoint": data.get("endpoint", ""),
            "phone_number": data.get("phone_number", ""),
            "phone_country": data.get("phone_country", ""),
            "component_ids": data.get("component_ids", []),
            "confirmed": data["skip_confirmation_notification"],
        }


class UnsubscribeIn(serializers.Serializer):
    subscribers = serializers.CharField(max_length=100_000)
    type = serializers.ChoiceField(
        choices=["email", "sms", "webhook", "slack", "teams"], required=False
    )
    state = serializers.ChoiceField(choices=[*SubscriberState.values, "all"], required=False)
