"""The calling key, the organization's members and its API keys (management API)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts import selectors, services
from accounts.models import MembershipStatus, Role, Scope
from core.api import ApiView
from core.errors import Conflict, InsufficientScope
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField

KEY_TAGS = ["API keys"]
MEMBER_TAGS = ["Members"]

# ---- output ---------------------------------------------------------------------------------


class CreatorOut(serializers.Serializer):
    id = serializers.CharField(help_text="The member's id (`mem_...`).")
    email = serializers.CharField()


class CreatedByField(CreatorOut):
    def __init__(self, **kwargs):
        super().__init__(
            allow_null=True,
            help_text="The member who made the key (through the API: the member behind the "
            "key that made it); null for keys made on the command line.",
            **kwargs,
        )


class MeOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    organization = serializers.CharField(source="organization.slug", help_text="Organization slug.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    pages = serializers.ListField(
        source="page_ids",
        child=serializers.CharField(),
        help_text="Page ids this key is limited to; empty: every page of the organization.",
    )
    expires_at = TimestampField(allow_null=True)
    created_by = CreatedByField()


class MemberOut(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=MembershipStatus.choices)
    created_at = TimestampField()


class ApiKeyOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    prefix = serializers.CharField(
        source="token_prefix", help_text="How the key's token starts: `spk_<key-id>_`."
    )
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    pages = serializers.ListField(
        source="page_ids",
        child=serializers.CharField(),
        help_text="Page ids this key is limited to; empty: every page of the organization.",
    )
    expires_at = TimestampField(allow_null=True)
    last_used_at = TimestampField(allow_null=True)
    revoked_at = TimestampField(allow_null=True)
    created_by = CreatedByField()
    created_at = TimestampField()


class ApiKeyCreatedOut(ApiKeyOut):
    token = serializers.CharField(
        required=False,
        help_text="The bearer token, in this response only: it is never stored, so a replay "
        "of this request (same `Idempotency-Key`) answers without it.",
    )


# ---- input ----------------------------------------------------------------------------------


class MemberInviteIn(StrictInputSerializer):
    # A new member's username is their address, and usernames hold 150 characters.
    email = serializers.EmailField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberPatchIn(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class ApiKeyIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices),
        required=False,
        default=list,
        max_length=len(Scope.values),
        help_text="Empty: a read-only key. Only scopes the calling key holds may be granted.",
    )
    pages = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=1000,
        help_text="Limit the key to these pages (empty: every page). A key limited to pages "
        "grants only pages it holds; given none, the new key gets the caller's pages.",
    )
    expires_at = TimestampField(required=False, allow_null=True, default=None)


# ---- views ----------------------------------------------------------------------------------


class MeView(ApiView):
    @extend_schema(
        operation_id="me",
        responses=MeOut,
        tags=KEY_TAGS,
        description="The API key making the request, and who made it.",
    )
    def get(self, request):
        return Response(MeOut(self.api_key).data)


class MemberWriteView(ApiView):
    write_scope = Scope.MEMBERS_WRITE.value

    def refuse_page_limited_key(self):
        # Members reach every page: a key limited to some pages cannot add or change them.
        if self.api_key.page_ids:
            raise InsufficientScope(
                Scope.MEMBERS_WRITE.value,
                "A key limited to some pages cannot manage the organization's members.",
            )


class MemberListView(MemberWriteView):
    @extend_schema(
        operation_id="members_list",
        tags=MEMBER_TAGS,
        description="The organization's members and pending invitations, oldest first.",
        parameters=paginated_parameters(),
        responses=list_response(MemberOut),
    )
    def get(self, request):
        return self.paginated(
            selectors.members_for_organization(self.api_key.organization),
            MemberOut,
            ordering=("id",),
        )

    @extend_schema(
        operation_id="members_invite",
        tags=MEMBER_TAGS,
        description="Invites an address with a role: they are emailed a one-time link, valid "
        "7 days, to set a password and join. The member is `invited` until then. An address "
        "already a member or invited: 409.",
        request=MemberInviteIn,
        responses={201: MemberOut},
    )
    def post(self, request):
        self.refuse_page_limited_key()
        body = self.validated(MemberInviteIn)
        try:
            membership = services.member_invite(
                organization=self.api_key.organization,
                invited_by=self.api_key.created_by,
                **body.validated_data,
            )
        except services.MemberConflict as refusal:
            raise Conflict(refusal.messages[0], {"email": body.validated_data["email"]}) from None
        return Response(MemberOut(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(MemberWriteView):
    conflict_methods = ("PATCH", "DELETE")

    @extend_schema(operation_id="members_retrieve", tags=MEMBER_TAGS, responses=MemberOut)
    def get(self, request, member_id):
        member = selectors.member_for_organization(self.api_key.organization, member_id)
        return Response(MemberOut(member).data)

    @extend_schema(
        operation_id="members_update",
        tags=MEMBER_TAGS,
        description="Changes the member's role. Demoting the only owner (active or invited): "
        "409 `conflict`.",
        request=MemberPatchIn,
        responses=MemberOut,
    )
    def patch(self, request, member_id):
        self.refuse_page_limited_key()
        member = selectors.member_for_organization(self.api_key.organization, member_id)
        body = self.validated(MemberPatchIn)
        try:
            member = services.member_update(membership=member, **body.validated_data)
        except services.MemberConflict as refusal:
            raise Conflict(refusal.messages[0], {"member_id": member.id}) from None
        return Response(MemberOut(member).data)

    @extend_schema(
        operation_id="members_destroy",
        tags=MEMBER_TAGS,
        description="Removes the member (or withdraws the invitation); the API keys they made "
        "are revoked. Removing the only owner: 409 `conflict`.",
        responses={204: None},
    )
    def delete(self, request, member_id):
        self.refuse_page_limited_key()
        member = selectors.member_for_organization(self.api_key.organization, member_id)
        try:
            services.member_remove(membership=member)
        except services.MemberConflict as refusal:
            raise Conflict(refusal.messages[0], {"member_id": member.id}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiKeyListView(ApiView):
    write_scope = Scope.KEYS_WRITE.value
    idempotency_unstored_fields = ("token",)

    @extend_schema(
        operation_id="api_keys_list",
        tags=KEY_TAGS,
        description="The organization's API keys, revoked and expired ones included, oldest "
        "first. Tokens are never shown again.",
        parameters=paginated_parameters(),
        responses=list_response(ApiKeyOut),
    )
    def get(self, request):
        return self.paginated(
            selectors.api_keys_for_organization(self.api_key.organization),
            ApiKeyOut,
            ordering=("id",),
        )

    @extend_schema(
        operation_id="api_keys_create",
        tags=KEY_TAGS,
        description="Makes a key; its `token` is in this response only. A key cannot grant a "
        "scope it does not hold (403 `insufficient_scope`) nor a page outside its own (400).",
        request=ApiKeyIn,
        responses={201: ApiKeyCreatedOut},
    )
    def post(self, request):
        body = self.validated(ApiKeyIn)
        data = body.validated_data
        try:
            key, token = services.api_key_create(
                organization=self.api_key.organization,
                name=data["name"],
                scopes=data["scopes"],
                page_ids=data["pages"],
                expires_at=data["expires_at"],
                granted_by=self.api_key,
            )
        except services.ScopeNotHeld as refusal:
            raise InsufficientScope(refusal.scope, refusal.messages[0]) from None
        key.token = token
        return Response(ApiKeyCreatedOut(key).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(ApiView):
    write_scope = Scope.KEYS_WRITE.value

    @extend_schema(operation_id="api_keys_retrieve", tags=KEY_TAGS, responses=ApiKeyOut)
    def get(self, request, key_id):
        key = selectors.api_key_for_organization(self.api_key.organization, key_id)
        return Response(ApiKeyOut(key).data)

    @extend_schema(
        operation_id="api_keys_revoke",
        tags=KEY_TAGS,
        description="Revokes the key: requests with it get 401 from now on. It stays listed, "
        "with `revoked_at`.",
        responses={204: None},
    )
    def delete(self, request, key_id):
        key = selectors.api_key_for_organization(self.api_key.organization, key_id)
        services.api_key_revoke(api_key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
