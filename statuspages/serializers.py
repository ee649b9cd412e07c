"""Input and output serializers of the pages, groups, components and structure API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.languages import Language
from core.serializers import StrictInputSerializer, TimestampField, django_validator
from core.validators import SLUG_VALIDATOR, validate_hostname
from statuspages import selectors
from statuspages.models import ComponentStatus, Visibility
from statuspages.upstreams import COMPONENT_ID_MAX_LENGTH, URL_MAX_LENGTH, upstream_value

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
    notify_on_upstream = serializers.BooleanField()
    status = serializers.SerializerMethodField()
    created_at = TimestampField()
    updated_at = TimestampField()

    @extend_schema_field(PageStatusOut)
    def get_status(self, page) -> dict:
        return self.context["page_statuses"][page.id]


UPSTREAM_HELP = (
    "The Statuspage-v2 page this component mirrors: `url` is the page's base URL (stored "
    "normalised: scheme and host lower-case, without a trailing slash, query or `/api/v2/...`; "
    "`{url}/api/v2/summary.json` is polled at most once a minute per URL with `If-None-Match`, "
    "through the outbound rules), `component_id` the id of the component mirrored, or null for "
    "the page's overall indicator (none → operational, minor → degraded_performance, major → "
    "partial_outage, critical → major_outage). `GET .../upstream-components?url=` lists a page's "
    "components. Null: the component mirrors nothing."
)


class UpstreamOut(serializers.Serializer):
    url = serializers.CharField()
    component_id = serializers.CharField(allow_null=True)


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
    upstream = serializers.SerializerMethodField(help_text=UPSTREAM_HELP)
    upstream_status = serializers.SerializerMethodField(
        help_text="What the upstream said at the last good reading, one of the sources of "
        "`status` (its worst wins); null before the first reading and without `upstream`. A "
        "failed poll keeps it."
    )
    upstream_checked_at = TimestampField(
        allow_null=True, help_text="When `upstream_status` was read (the last good poll)."
    )
    upstream_error = serializers.SerializerMethodField(
        help_text="Why the latest poll gave no status (unreachable, not a Statuspage "
        "document, no such component on it); null when it did."
    )
    created_at = TimestampField()
    updated_at = TimestampField()

    def get_audience_group_ids(self, component) -> list[str]:
        return self.context["audience_group_ids"].get(component.id, [])

    @extend_schema_field(UpstreamOut(allow_null=True))
    def get_upstream(self, component) -> dict | None:
        return upstream_value(component)

    @extend_schema_field(serializers.ChoiceField(choices=ComponentStatus.choices, allow_null=True))
    def get_upstream_status(self, component) -> str | None:
        return component.upstream_status or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_upstream_error(self, component) -> str | None:
        return component.upstream_error or None

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
    notify_on_upstream = serializers.BooleanField(
        required=False,
        help_text="Whether subscribers hear of the status changes components mirroring an "
        "upstream page make (as of any component change: a `component_updated` webhook). "
        "Default false: the page shows them and uptime counts them, nobody is told.",
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


class UpstreamIn(StrictInputSerializer):
    url = serializers.CharField(
        max_length=URL_MAX_LENGTH, help_text="e.g. `https://www.githubstatus.com`"
    )
    component_id = serializers.CharField(
        max_length=COMPONENT_ID_MAX_LENGTH,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The upstream component's id; null (or absent): the page's overall indicator.",
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
    upstream = UpstreamIn(required=False, allow_null=True, help_text=UPSTREAM_HELP)

    def resolve(self, page) -> dict:
        """Validated data in service terms: ``group`` and ``manual_status``."""
        data = dict(self.validated_data)
        if data.get("upstream") is not None:
            data["upstream"] = dict(data["upstream"])
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


# ---- the "pick from this page" helper --------------------------------------------------------


class UpstreamComponentOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="As the upstream page publishes it.")
    group = serializers.BooleanField(
        help_text="A group of components (its status is the group's, as Statuspage lists it)."
    )
    group_id = serializers.CharField(allow_null=True, help_text="The group it is in, if any.")
    group_name = serializers.CharField(allow_null=True)


class UpstreamPageOut(serializers.Serializer):
    url = serializers.CharField(help_text="The base URL as `upstream.url` stores it.")
    name = serializers.CharField(help_text="The upstream page's name.")
    indicator = serializers.CharField(help_text="The upstream page's overall indicator.")
    status = serializers.ChoiceField(
        choices=ComponentStatus.choices,
        help_text="The indicator as a component status: what `component_id: null` mirrors.",
    )
    read_at = TimestampField(
        help_text="When the page was read (at most a minute ago when it answers)."
    )
    error = serializers.SerializerMethodField(
        help_text="Why the latest poll failed when it did (this is then the last good reading)."
    )
    components = UpstreamComponentOut(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error(self, page) -> str | None:
        return page.error or None
