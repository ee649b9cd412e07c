"""HTTP for who may read a non-public page: readers (invited addresses), reader groups
(audiences) and share links. Scope ``pages:write`` to write; README, "Page visibility"."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Scope
from core.errors import Conflict
from core.schema import list_response, paginated_parameters
from core.serializers import StrictInputSerializer, TimestampField
from statuspages import readers
from statuspages.api_base import PageApiView
from statuspages.models import Reader, ReaderGroup, ShareLink
from statuspages.serializers import EmailDomainField

# ---- serializers ----------------------------------------------------------------------------


class ReaderOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    email = serializers.EmailField()
    group_ids = serializers.SerializerMethodField()
    created_at = TimestampField()

    def get_group_ids(self, reader) -> list[str]:
        return [group.id for group in reader.groups.all()]


class ReaderIn(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    group_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=100,
        help_text="Reader groups (audience pages): the reader also sees the items limited to them.",
    )


class ReaderUpdateIn(StrictInputSerializer):
    group_ids = serializers.ListField(child=serializers.CharField(max_length=64), max_length=100)


class ReaderGroupOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    name = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())
    created_at = TimestampField()
    updated_at = TimestampField()


class ReaderGroupIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255)
    domains = serializers.ListField(
        child=EmailDomainField(),
        required=False,
        max_length=100,
        help_text="Addresses at these email domains may sign in and belong to the group.",
    )


class ShareLinkOut(serializers.Serializer):
    id = serializers.CharField()
    page_id = serializers.CharField()
    name = serializers.CharField()
    expires_at = TimestampField()
    group_ids = serializers.SerializerMethodField()
    created_at = TimestampField()

    def get_group_ids(self, link) -> list[str]:
        return [group.id for group in link.groups.all()]


class ShareLinkCreatedOut(ShareLinkOut):
    url = serializers.CharField(help_text="The signed link; in this response only.")


class ShareLinkIn(StrictInputSerializer):
    name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    expires_at = serializers.DateTimeField(help_text="When the link stops admitting anyone.")
    group_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=100
    )


# ---- views ----------------------------------------------------------------------------------


def _readers(page):
    return Reader.objects.filter(page=page).prefetch_related("groups")


def _reader(page, reader_id) -> Reader:
    reader = _readers(page).filter(id=reader_id).first()
    if reader is None:
        raise Http404("Reader not found.")
    return reader


class ReaderListView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="readers_list",
        description="The addresses invited to read the page, oldest first.",
        parameters=paginated_parameters(),
        responses=list_response(ReaderOut),
        tags=["Readers"],
    )
    def get(self, request, page_id):
        return self.paginated(_readers(self.page), ReaderOut, ordering=("id",))

    @extend_schema(
        operation_id="readers_create",
        description=(
            "Invites an address to read the page while it is private or audience: it signs in "
            "with a one-time link it asks for on the page's `/sign-in` screen. 409 when the "
            "address already reads the page."
        ),
        request=ReaderIn,
        responses={201: ReaderOut},
        tags=["Readers"],
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(ReaderIn)
        try:
            reader = readers.reader_invite(page=page, **body.validated_data)
        except readers.ReaderExists as exc:
            raise Conflict(str(exc), {"email": body.validated_data["email"]}) from exc
        return Response(ReaderOut(reader).data, status=201)


class ReaderDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="readers_retrieve",
        responses=ReaderOut,
        tags=["Readers"],
        description="A reader.",
    )
    def get(self, request, page_id, reader_id):
        return Response(ReaderOut(_reader(self.page, reader_id)).data)

    @extend_schema(
        operation_id="readers_update",
        description="Replaces the reader's groups.",
        request=ReaderUpdateIn,
        responses=ReaderOut,
        tags=["Readers"],
    )
    def patch(self, request, page_id, reader_id):
        reader = _reader(self.page, reader_id)
        body = self.validated(ReaderUpdateIn)
        reader = readers.reader_update(reader=reader, **body.validated_data)
        return Response(ReaderOut(_reader(self.page, reader.id)).data)

    @extend_schema(
        operation_id="readers_destroy",
        responses={204: None},
        tags=["Readers"],
        description=(
            "The address may no longer read the page (unless its domain may): a reader signed "
            "in with it is refused from the next request on."
        ),
    )
    def delete(self, request, page_id, reader_id):
        readers.reader_delete(reader=_reader(self.page, reader_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _group(page, group_id) -> ReaderGroup:
    group = ReaderGroup.objects.filter(page=page, id=group_id).first()
    if group is None:
        raise Http404("Reader group not found.")
    return group


class ReaderGroupListView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="reader_groups_list",
        description="The page's reader groups (audiences), oldest first.",
        parameters=paginated_parameters(),
        responses=list_response(ReaderGroupOut),
        tags=["Readers"],
    )
    def get(self, request, page_id):
        return self.paginated(
            ReaderGroup.objects.filter(page=self.page), ReaderGroupOut, ordering=("id",)
        )

    @extend_schema(
        operation_id="reader_groups_create",
        description=(
            "Adds a reader group. On an audience page, components, incidents and maintenances "
            "limited to groups (`audience_group_ids`) are seen only by those groups' readers."
        ),
        request=ReaderGroupIn,
        responses={201: ReaderGroupOut},
        tags=["Readers"],
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(ReaderGroupIn)
        group = readers.reader_group_create(page=page, **body.validated_data)
        return Response(ReaderGroupOut(group).data, status=201)


class ReaderGroupDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="reader_groups_retrieve",
        responses=ReaderGroupOut,
        tags=["Readers"],
        description="A reader group.",
    )
    def get(self, request, page_id, group_id):
        return Response(ReaderGroupOut(_group(self.page, group_id)).data)

    @extend_schema(
        operation_id="reader_groups_update",
        description="Changes the fields given.",
        request=ReaderGroupIn(partial=True),
        responses=ReaderGroupOut,
        tags=["Readers"],
    )
    def patch(self, request, page_id, group_id):
        group = _group(self.page, group_id)
        body = self.validated(ReaderGroupIn, partial=True)
        group = readers.reader_group_update(group=group, **body.validated_data)
        return Response(ReaderGroupOut(group).data)

    @extend_schema(
        operation_id="reader_groups_destroy",
        responses={204: None},
        tags=["Readers"],
        description=(
            "409 `conflict` while components, incidents or maintenances are limited to the "
            "group (deleting it would show them to every reader)."
        ),
    )
    def delete(self, request, page_id, group_id):
        group = _group(self.page, group_id)
        try:
            readers.reader_group_delete(group=group)
        except readers.ReaderGroupInUse as exc:
            raise Conflict(str(exc), {"group_id": group.id}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def _share_links(page):
    return ShareLink.objects.filter(page=page).prefetch_related("groups")


def _share_link(page, link_id) -> ShareLink:
    link = _share_links(page).filter(id=link_id).first()
    if link is None:
        raise Http404("Share link not found.")
    return link


class ShareLinkListView(PageApiView):
    write_scope = Scope.PAGES_WRITE
    # The signed URL is shown once: a replay of the create omits it.
    idempotency_unstored_fields = ("url",)

    @extend_schema(
        operation_id="share_links_list",
        description="The page's share links, oldest first (without their URLs).",
        parameters=paginated_parameters(),
        responses=list_response(ShareLinkOut),
        tags=["Readers"],
    )
    def get(self, request, page_id):
        return self.paginated(_share_links(self.page), ShareLinkOut, ordering=("id",))

    @extend_schema(
        operation_id="share_links_create",
        description=(
            "A signed link that admits whoever opens it until `expires_at` (with the items of "
            "`group_ids` on an audience page). The `url` is in this response only; delete the "
            "link to revoke it."
        ),
        request=ShareLinkIn,
        responses={201: ShareLinkCreatedOut},
        tags=["Readers"],
    )
    def post(self, request, page_id):
        page = self.page
        body = self.validated(ShareLinkIn)
        link, url = readers.share_link_create(page=page, **body.validated_data)
        link = _share_link(self.page, link.id)
        return Response({**ShareLinkOut(link).data, "url": url}, status=201)


class ShareLinkDetailView(PageApiView):
    write_scope = Scope.PAGES_WRITE

    @extend_schema(
        operation_id="share_links_retrieve",
        responses=ShareLinkOut,
        tags=["Readers"],
        description="A share link (without its URL).",
    )
    def get(self, request, page_id, link_id):
        return Response(ShareLinkOut(_share_link(self.page, link_id)).data)

    @extend_schema(
        operation_id="share_links_destroy",
        responses={204: None},
        tags=["Readers"],
        description="Revokes the link: whoever opened it is refused from the next request on.",
    )
    def delete(self, request, page_id, link_id):
        readers.share_link_delete(link=_share_link(self.page, link_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
