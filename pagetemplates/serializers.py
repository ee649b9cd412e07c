"""The two fields every create or publish body takes to start from a template."""

from rest_framework import serializers

from core.serializers import StrictInputSerializer

TEMPLATE_HELP = (
    "Fill the fields not given from this template of the page (explicit fields win); "
    "an unknown template is a 400."
)
TEMPLATE_VALUES_HELP = (
    "Values for the template's `{{ name }}` placeholders (besides `component_names` and "
    "`started_at`); a placeholder without a value is a 400."
)

MAX_TEMPLATE_VALUES = 100


class TemplatedInput(StrictInputSerializer):
    """``template_id`` and ``template_values``; ``service_arguments`` keeps only the fields
    the caller sent, so a template's values are not overridden by defaults."""

    template_id = serializers.CharField(max_length=64, required=False, help_text=TEMPLATE_HELP)
    template_values = serializers.DictField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        required=False,
        help_text=TEMPLATE_VALUES_HELP,
    )
    required_without_template: tuple[str, ...] = ()

    def validate(self, attrs):
        if len(attrs.get("template_values", {})) > MAX_TEMPLATE_VALUES:
            raise serializers.ValidationError(
                {"template_values": [f"At most {MAX_TEMPLATE_VALUES} values."]}
            )
        if "template_id" not in attrs:
            missing = {
                name: ["This field is required (or give a template_id)."]
                for name in self.required_without_template
                if name not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data.pop("idempotency_key", None)
        if "template_id" not in data:
            data.pop("template_values", None)
            return data
        sent = set(self.initial_data)
        return {
            name: value
            for name, value in data.items()
            if name in sent or name in ("template_id", "template_values")
        }
