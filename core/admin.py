"""Tenancy for the operator admin site: staff see and touch only their organizations' rows."""

from django.contrib import admin

admin.site.site_header = "Status pages — operator console"
admin.site.site_title = "Status pages"
admin.site.index_title = "Operate your status pages"


def user_organization_ids(user) -> list[str]:
    cached = getattr(user, "_organization_ids", None)
    if cached is None:
        cached = list(user.organizations.values_list("id", flat=True))
        user._organization_ids = cached
    return cached


class OrganizationScopedAdmin(admin.ModelAdmin):
    """``organization_field`` is the lookup from the model to its Organization ("" for the
    Organization itself). Superusers see everything; other staff only their organizations'.
    Staff members of an organization may run it fully: its rows are their rows."""

    organization_field = "organization"

    def _org_lookup(self) -> str:
        return f"{self.organization_field}__in" if self.organization_field else "id__in"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self._org_lookup(): user_organization_ids(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        restrict = _FOREIGN_KEY_SCOPES.get(db_field.related_model._meta.label)
        if field is not None and restrict and not request.user.is_superuser:
            field.queryset = field.queryset.filter(
                **{restrict: user_organization_ids(request.user)}
            )
        return field

    def _is_operator(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._is_operator(request)

    def has_view_permission(self, request, obj=None):
        return self._is_operator(request)

    def has_add_permission(self, request, obj=None):
        return self._is_operator(request)

    def has_change_permission(self, request, obj=None):
        return self._is_operator(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_operator(request)


class ScopedInline(admin.TabularInline):
    """Inlines follow their parent's permission (the parent's queryset already scopes them)."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        restrict = _FOREIGN_KEY_SCOPES.get(db_field.related_model._meta.label)
        if field is not None and restrict and not request.user.is_superuser:
            field.queryset = field.queryset.filter(
                **{restrict: user_organization_ids(request.user)}
            )
        return field

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class PublishedUpdatesInline(admin.TabularInline):
    """An incident's or maintenance's updates, newest first; published, so never edited here."""

    fields = ("created_at", "status", "message", "notify_subscribers")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


# Choices offered in a foreign-key field are limited to the operator's organizations.
_FOREIGN_KEY_SCOPES = {
    "accounts.Organization": "id__in",
    "statuspages.StatusPage": "organization__in",
    "statuspages.ComponentGroup": "page__organization__in",
    "statuspages.Component": "page__organization__in",
    "incidents.Incident": "page__organization__in",
}
