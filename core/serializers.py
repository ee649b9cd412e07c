import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.fields import get_error_detail


class StrictInputSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a typo is a 400 rather than a silent no-op."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected a JSON object."]}, code="invalid"
            )
        unknown = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


def rfc3339(value: datetime.datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``, as every API and payload of this service writes times."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


# Accepted instants: wide enough for any real incident or maintenance, far enough from
# datetime's limits that adding a duration or changing the zone can never overflow.
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)
RANGE_MESSAGE = "Use a time between 1970-01-01T00:00:00Z and 9999-01-01T00:00:00Z."
FORMAT_MESSAGE = "Use an RFC 3339 date-time with a time zone, e.g. '2026-01-31T12:00:00Z'."


class TimestampField(serializers.DateTimeField):
    """RFC 3339 in UTC with ``Z``; input must be a real instant and carry a time zone."""

    default_error_messages = {"invalid": FORMAT_MESSAGE, "date": FORMAT_MESSAGE}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=None, **kwargs)

    def to_representation(self, value):
        return rfc3339(value)

    def to_internal_value(self, value):
        if not isinstance(value, str | datetime.datetime):
            self.fail("invalid")
        if isinstance(value, str):
            try:
                # Impossible clock or calendar values (25:00, February 30, year 0) raise here.
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is None:
                self.fail("invalid")
            value = parsed
        # DRF would silently read a naive time in the server's zone; refuse it instead.
        if value.tzinfo is None:
            raise serializers.ValidationError("Include a time zone, e.g. '2026-01-31T12:00:00Z'.")
        try:
            moment = value.astimezone(datetime.UTC)
        except OverflowError:
            raise serializers.ValidationError(RANGE_MESSAGE) from None
        if not EARLIEST <= moment < LATEST:
            raise serializers.ValidationError(RANGE_MESSAGE)
        return moment


def django_validator(func):
    """Wrap a Django validator so DRF reports its message on the field."""

    def run(value):
        try:
            func(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc

    return run
