"""Input and output serializers of the pages, groups, components and structure API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.languages import Language
from core.serializers import StrictInputSerializer, TimestampField, django_validator
from core.validators import SLUG_VALIDATOR, validate_hostname
from statuspages import selectors
from statuspages.models import ComponentStatus, Visibility

# ---- output ---------------------------------------------------------------------------------


class PageStatusOut(serializers.Serializer):
    indicator = serializers.ChoiceField(
        choices=["none", "minor", "major", "critical", "maintenance"]
    )
    description = serializers.CharField()


class PageOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField(source="public_url")
    time_zone = serializers.CharField()
    default_language = serializers.ChoiceField(choices=Language.choices)
    custom_domain = serializers.CharField(allow_null=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    reader_domains = serializers.ListField(child=serializers.CharField())
    status = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    @extend_schema_field(PageStatusOut)
    def get_status(self, page) -> dict:
        return self.context["page_statuses"][page.id]


class ComponentOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    group_id = serializers.CharField(allow_null=True)
    position = serializers.IntegerField()
    status = serializers.SerializerMethodField()
    manual_status = serializers.ChoiceField(choices=ComponentStatus.choices)
    only_show_if_degraded = serializers.BooleanField()
    showcase = serializers.BooleanField()
    start_date = serializers.DateField(allow_null=True)
    audience_group_ids = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_audience_group_ids(self, component) -> list[str]:
        return self.context["audience_group_ids"].get(component.id, [])

    @extend_schema_field(serializers.ChoiceField(choices=ComponentStatus.choices))
    def get_status(self, component) -> str:
        return self.context["statuses"][component.id]


class GroupOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    component_ids = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_component_ids(self, group) -> list[str]:
        return self.context["component_ids"].get(group.id, [])


class StructureGroupOut(GroupOut):
    components = serializers.SerializerMethodField()

    @extend_schema_field(ComponentOut(many=True))
    def get_components(self, group) -> list:
        return ComponentOut(group.ordered_components, many=True, context=self.context).data


class StructureOut(serializers.Serializer):
    page_id = serializers.CharField()
    groups = StructureGroupOut(many=True)
    ungrouped_components = ComponentOut(many=True)


# ---- input ----------------------------------------------------------------------------------


class EmailDomainField(serializers.CharField):
    """An email domain (``customer.com``), compared lower-case."""

    def __init__(self, **kwargs):
        super().__init__(max_length=253, validators=[django_validator(validate_hostname)], **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).strip().lower().removeprefix("@")


class PageIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    # The Django validator itself, so the schema shows its pattern (DRF runs it as is).
    slug = serializers.CharField(max_length=64, validators=[SLUG_VALIDATOR])
    url = serializers.CharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Where the page is published; default: its address on this service.",
    )
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        default="UTC",
        help_text="An IANA time zone, e.g. `Europe/Paris`.",
    )
    default_language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        default=Language.ENGLISH,
        help_text="The language of the page's built-in words (status names, headings, dates) "
        "and of its feeds, emails and SMS, when the reader asks for none of these.",
    )
    custom_domain = serializers.CharField(
        max_length=253,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="A host name such as `status.example.com`, compared lower-case.",
    )
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        default=Visibility.PUBLIC,
        help_text=(
            "`public`: anyone may read the page. `private`: only admitted readers (members of "
            "the organization signed in, invited readers and addresses at `reader_domains` "
            "through an emailed sign-in link, holders of a share link); anyone else gets the "
            "404 of a missing page on every public surface. `audience`: as private, and each "
            "reader sees only the unrestricted items and those of their reader groups."
        ),
    )
    reader_domains = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        max_length=100,
        help_text="Email domains whose addresses may sign in to a non-public page.",
    )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if "url" in value:
            value["url_override"] = value.pop("url")
        return value


AUDIENCE_GROUP_IDS = serializers.ListField(
    child=serializers.CharField(max_length=64),
    required=False,
    max_length=100,
    help_text=(
        "On an audience page, only readers of these reader groups see the item (none: every "
        "reader). Replaces the item's groups."
    ),
)


class GroupIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    component_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=1000,
        help_text="The group's components in order; others leave the group.",
    )


class ComponentIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    group_id = serializers.CharField(max_length=64, required=False, allow_null=True)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    status = serializers.ChoiceField(
        choices=ComponentStatus.choices,
        required=False,
        help_text="Sets `manual_status`; the effective `status` also reflects incidents.",
    )
    only_show_if_degraded = serializers.BooleanField(required=False)
    showcase = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    audience_group_ids = AUDIENCE_GROUP_IDS

    def resolve(self, page) -> dict:
        """Validated data in service terms: ``group`` and ``manual_status``."""
        data = dict(self.validated_data)
        if "status" in data:
            data["manual_status"] = data.pop("status")
        if "group_id" in data:
            group_id = data.pop("group_id")
            data["group"] = None
            if group_id:
                data["group"] = selectors.group_on_page(page, group_id)
                if data["group"] is None:
                    raise serializers.ValidationError({"group_id": ["No such group on this page."]})
        return data
