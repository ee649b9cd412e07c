"""Instatus's request bodies, read into our services' terms. Fields Instatus has and we have
no use for (translations, ``archived``, ``shouldPublish``, notification timings) are accepted
and ignored, as a drop-in must. The only rules here are Instatus's names and types; what a
value may be (lengths, statuses, required fields, components of the page) is decided by the
services."""

import datetime

from rest_framework import serializers

from core.serializers import TimestampField
from dialects.instatus.enums import COMPONENT_IN, INCIDENT_IN, MAINTENANCE_IN
from statuspages.models import ComponentStatus


def an_id() -> serializers.CharField:
    return serializers.CharField(max_length=64)


class InstatusTime(TimestampField):
    """RFC 3339; Instatus's own examples send ``2020-09-12 05:38:47.998`` without a zone,
    which Instatus reads as UTC, and so does this dialect."""

    def to_internal_value(self, value):
        if isinstance(value, str) and value.strip():
            text = value.strip().replace(" ", "T", 1)
            if not text.endswith("Z") and "+" not in text[10:] and "-" not in text[10:]:
                text += "Z"
            value = text
        return super().to_internal_value(value)


class Mapped(serializers.ChoiceField):
    """One of Instatus's upper-case names, read as our value."""

    def __init__(self, mapping: dict, **kwargs):
        self.mapping = mapping
        super().__init__(choices=list(mapping), **kwargs)

    def to_internal_value(self, data):
        return self.mapping[super().to_internal_value(data)]


class StatusEntry(serializers.Serializer):
    id = an_id()
    status = Mapped(COMPONENT_IN)


class ComponentIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    status = Mapped(COMPONENT_IN, required=False)
    order = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False)
    showUptime = serializers.BooleanField(required=False)  # noqa: N815 (Instatus's name)
    grouped = serializers.BooleanField(required=False)
    group = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)

    def changes(self) -> dict:
        """In ``component_create`` / ``component_update`` terms (``group`` still an id)."""
        data = self.validated_data
        renamed = {
            "name": "name",
            "description": "description",
            "status": "manual_status",
            "order": "position",
            "showUptime": "showcase",
        }
        changes = {ours: data[theirs] for theirs, ours in renamed.items() if theirs in data}
        if data.get("grouped") is False:
            changes["group"] = None
        elif "group" in data:
            changes["group"] = data["group"] or None
        return changes


def component_statuses(data: dict) -> list[dict]:
    """``statuses`` ([{id, status}]), then ``components`` they do not name (attached to the
    incident without a status of their own: ``operational`` within it)."""
    entries = [{"component_id": e["id"], "status": e["status"]} for e in data.get("statuses", [])]
    named = {entry["component_id"] for entry in entries}
    for component_id in data.get("components", []):
        if component_id not in named:
            named.add(component_id)
            entries.append({"component_id": component_id, "status": ComponentStatus.OPERATIONAL})
    return entries


class _Publishing(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True)
    components = serializers.ListField(child=an_id(), required=False)
    statuses = serializers.ListField(child=StatusEntry(), required=False)
    notify = serializers.BooleanField(required=False, default=True)


class IncidentIn(_Publishing):
    name = serializers.CharField(required=False, allow_blank=True)
    started = InstatusTime(required=False, allow_null=True)
    status = Mapped(INCIDENT_IN, required=False)


class IncidentUpdateIn(_Publishing):
    started = InstatusTime(required=False, allow_null=True)
    status = Mapped(INCIDENT_IN, required=False)


class MaintenanceIn(_Publishing):
    name = serializers.CharField(required=False, allow_blank=True)
    start = InstatusTime(required=False, allow_null=True)
    end = InstatusTime(required=False, allow_null=True)
    duration = serializers.IntegerField(min_value=1, max_value=525_600, required=False)
    status = Mapped(MAINTENANCE_IN, required=False)
    autoStart = serializers.BooleanField(required=False)  # noqa: N815
    autoEnd = serializers.BooleanField(required=False)  # noqa: N815

    def window(self, current_start=None) -> dict:
        """``start_at`` / ``end_at`` from ``start`` and ``end`` or ``duration`` (minutes)."""
        data = self.validated_data
        window = {}
        if data.get("start"):
            window["start_at"] = data["start"]
        if data.get("end"):
            window["end_at"] = data["end"]
        elif data.get("duration"):
            start = window.get("start_at") or current_start
            if start is not None:
                window["end_at"] = start + datetime.timedelta(minutes=data["duration"])
        return window

    def auto_transition(self) -> bool | None:
        given = [
            self.validated_data[n] for n in ("autoStart", "autoEnd") if n in self.validated_data
        ]
        return any(given) if given else None


class MaintenanceUpdateIn(_Publishing):
    started = InstatusTime(required=False, allow_null=True)
    status = Mapped(MAINTENANCE_IN, required=False)


class UpdateEditIn(serializers.Serializer):
    message = serializers.CharField(allow_blank=True)


class TemplateIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=["INCIDENT", "MAINTENANCE"], default="INCIDENT")
    name = serializers.CharField(required=False, allow_blank=True)
    message = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(max_length=32, required=False, allow_blank=True)
    notify = serializers.BooleanField(required=False)
    components = serializers.ListField(child=StatusEntry(), required=False)

    def validate(self, attrs):
        mapping = INCIDENT_IN if attrs["type"] == "INCIDENT" else MAINTENANCE_IN
        status = attrs.get("status") or ""
        if status and status not in mapping:
            raise serializers.ValidationError({"status": [f"Use one of: {', '.join(mapping)}."]})
        attrs["status"] = mapping.get(status, "")
        return attrs


class SubscriberIn(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    webhook = serializers.CharField(required=False, allow_blank=True)
    all = serializers.BooleanField(required=False, default=True)
    components = serializers.ListField(child=an_id(), required=False)
    autoConfirm = serializers.BooleanField(required=False, default=False)  # noqa: N815
    language = serializers.CharField(required=False, allow_blank=True)

    def service_arguments(self) -> dict:
        """In ``subscriber_create`` terms: the address given decides the channel (none given:
        email, whose address the service then asks for)."""
        data = self.validated_data
        if data.get("webhook"):
            channel = "webhook"
        elif data.get("phone"):
            channel = "sms"
        else:
            channel = "email"
        return {
            "channel": channel,
            "email": data.get("email", "") if channel == "email" else "",
            "phone_number": data.get("phone", "") if channel == "sms" else "",
            "endpoint": data.get("webhook", "") if channel == "webhook" else "",
            # "all": every component, which is what no component list means here.
            "component_ids": [] if data["all"] else data.get("components", []),
            "confirmed": data["autoConfirm"],
            "language": data.get("language", ""),
        }


class MetricIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    suffix = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False)

    def service_arguments(self) -> dict:
        data = self.validated_data
        renamed = {"suffix": "suffix", "active": "display", "order": "position"}
        return {"name": data["name"]} | {
            ours: data[theirs] for theirs, ours in renamed.items() if theirs in data
        }
