import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.fields import get_error_detail


def _json_type_error(field, value) -> object | None:
    """What is wrong with the JSON *type* of ``value`` for ``field`` (DRF would coerce ``1`` to
    ``"1"`` or ``"yes"`` to true); None when the type is right. Lists and objects recurse."""
    if value is None:
        return None  # allow_null is the field's own check
    if isinstance(field, serializers.ListSerializer):
        if not isinstance(value, list):
            return ["Expected a list."]
        errors = {
            i: e for i, item in enumerate(value) if (e := _json_type_error(field.child, item))
        }
        return errors or None
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, dict):
            return ["Expected a JSON object."]
        errors = {
            name: error
            for name, child in field.fields.items()
            if name in value and (error := _json_type_error(child, value[name]))
        }
        return errors or None
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return ["Expected a list."]
        errors = {
            i: e for i, item in enumerate(value) if (e := _json_type_error(field.child, item))
        }
        return errors or None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else ["Expected true or false."]
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else ["Expected an integer."]
    if isinstance(field, serializers.FloatField):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else ["Expected a number."]
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return None if isinstance(value, str) else ["Expected a string."]
    if isinstance(field, serializers.DateTimeField | serializers.DateField):
        return None if isinstance(value, str) else ["Expected a string."]
    return None


class StrictInputSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a typo is a 400 rather than a silent no-op, and
    values of the wrong JSON type (``"name": 1``, ``"notify_subscribers": "yes"``)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected a JSON object."]}, code="invalid"
            )
        unknown = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
        wrong_type = _json_type_error(self, data) or {}
        errors: dict = {}
        try:
            value = super().to_internal_value(
                {name: item for name, item in data.items() if name not in wrong_type}
            )
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors = dict(exc.detail)
        errors.update(wrong_type)
        errors.update(unknown)
        if errors:
            raise serializers.ValidationError(errors)
        return value


def rfc3339(value: datetime.datetime | None, *, timespec: str = "auto") -> str | None:
    """RFC 3339 in UTC with ``Z``, as every API and payload of this service writes times (the
    contract's only demand). The management API keeps Python's ``auto`` precision
    (microseconds when there are any); the Statuspage documents pass ``"milliseconds"``, as
    Statuspage publishes them."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


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
