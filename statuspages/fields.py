"""An update's text as the entrances declare it: the limit is documented (the API schema, the
browser's ``maxlength``) and refused by the services (``statuspages.publishing.
message_checked``), so a client gets the service's own refusal whatever the entrance."""

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statuspages.models import MESSAGE_MAX_LENGTH


@extend_schema_field({"type": "string", "maxLength": MESSAGE_MAX_LENGTH})
class MessageField(serializers.CharField):
    """An update's or a template's text in the API: its length is documented, not checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class MessageFormField(forms.CharField):
    """The admin's text of an update: the browser is told the limit, the service refuses it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"maxlength": MESSAGE_MAX_LENGTH}))
        super().__init__(**kwargs)
