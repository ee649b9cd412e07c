"""The two fields every create or publish body takes to start from a template."""

from rest_framework import serializers

from core.serializers import StrictInputSerializer
from pagetemplates.services import TEMPLATE_VALUE_MAX_LENGTH

TEMPLATE_HELP = (
    "Fill the fields not given from this template of the page (explicit fields win); "
    "an unknown template is a 400."
)
TEMPLATE_VALUES_HELP = (
    "Values for the template's `{{ name }}` placeholders (besides `component_names` and "
    "`started_at`); a placeholder without a value is a 400."
)


class TemplatedInput(StrictInputSerializer):
    """``template_id`` and ``template_values``. ``service_arguments`` passes only the fields
    the caller sent: the service fills the others from the template, or with the same
    defaults this serializer documents; whether a template is needed is the service's to say."""

    template_id = serializers.CharField(max_length=64, required=False, help_text=TEMPLATE_HELP)
    template_values = serializers.DictField(
        child=serializers.CharField(max_length=TEMPLATE_VALUE_MAX_LENGTH, allow_blank=True),
        required=False,
        help_text=TEMPLATE_VALUES_HELP,
    )

    def service_arguments(self) -> dict:
        sent = set(self.initial_data)
        arguments = {name: value for name, value in self.validated_data.items() if name in sent}
        arguments.pop("idempotency_key", None)
        return arguments
