"""Organizations, members, invitations and API keys for operators; every change goes through
the services (roles decide who may make it: accounts.roles)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.models import ApiKey, Invitation, Membership, MembershipStatus, Scope
from accounts.services import (
    MemberConflict,
    api_key_create,
    api_key_revoke,
    invitation_resend,
    member_invite,
    member_remove,
    member_update,
    membership_of,
)
from core.admin import (
    ORGANIZATION_FILTER,
    OrganizationScopedAdmin,
    adopt_created,
    organization_scoped,
)
from tenancy.models import Organization


class MembershipInline(admin.TabularInline):
    """Who is in the organization; roles change on the Members page, through the service."""

    model = Membership
    fk_name = "organization"
    fields = ("email", "role", "status", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_field = ""
    list_display = ("name", "slug", "require_two_factor", "created_at")
    search_fields = ("name", "slug")
    fields = ("id", "name", "slug", "require_two_factor", "created_at", "updated_at")
    readonly_fields = ("id", "created_at", "updated_at")
    inlines = [MembershipInline]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MemberRemovalAdmin(OrganizationScopedAdmin):
    """Removing goes through the service; its refusal (the last owner) is a message, not a 500."""

    def delete_model(self, request, obj):
        member_remove(membership=obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except MemberConflict as refusal:
            messages.error(request, " ".join(refusal.messages))
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                member_remove(membership=obj)
            except MemberConflict as refusal:
                messages.error(request, f"{obj.email}: {' '.join(refusal.messages)}")


@admin.register(Membership)
class MembershipAdmin(MemberRemovalAdmin):
    """Members of the operator's organizations; owners change roles and remove members."""

    list_display = ("email", "organization", "role", "status", "created_at")
    list_filter = ("role", "status", ORGANIZATION_FILTER)
    list_select_related = ("organization", "user")
    search_fields = ("user__email", "user__username", "id")
    fields = ("id", "email", "organization", "role", "status", "invited_by", "created_at")
    readonly_fields = ("id", "email", "organization", "status", "invited_by", "created_at")

    def has_add_permission(self, request, obj=None):
        return False  # members join by invitation (Invitations › Add)

    def save_model(self, request, obj, form, change):
        if "role" in form.changed_data:
            member_update(membership=Membership.objects.get(pk=obj.pk), role=obj.role)


class InvitationForm(forms.ModelForm):
    email = forms.EmailField(max_length=150)  # the new member's username too

    class Meta:
        model = Invitation
        fields = ("organization", "email", "role")


@admin.register(Invitation)
class InvitationAdmin(MemberRemovalAdmin):
    """Pending invitations: invite by email (a one-time link, valid 7 days), resend, withdraw."""

    form = InvitationForm
    list_display = ("email", "organization", "role", "invitation_expires_at", "created_at")
    list_filter = (ORGANIZATION_FILTER,)
    list_select_related = ("organization", "user")
    search_fields = ("user__email", "id")
    readonly_fields = ("id", "email", "organization", "role", "invitation_expires_at")
    actions = ["resend"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=MembershipStatus.INVITED)

    def get_fields(self, request, obj=None):
        return ("organization", "email", "role") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        invitation = member_invite(
            organization=data["organization"],
            email=data["email"],
            role=data["role"],
            invited_by=membership_of(request.user, data["organization"]),
        )
        adopt_created(obj, invitation)

    @admin.action(description="Send the selected invitations again (a new link)")
    def resend(self, request, queryset):
        for invitation in queryset:
            invitation_resend(membership=invitation)
        messages.success(request, "Sent again; earlier links no longer work.")


class ApiKeyCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: a read-only key (it may read everything that needs no scope).",
    )
    # Page ids, read through the organizations: accounts sits below statuspages (no import).
    pages = forms.MultipleChoiceField(
        choices=(),
        required=False,
        help_text="Limit the key to these pages; none: every page of the organization.",
    )

    class Meta:
        model = ApiKey
        fields = ("organization", "name", "scopes", "pages", "expires_at")


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = (
        "name",
        "token_hint",
        "organization",
        "created_by",
        "scope_list",
        "last_used_at",
        "expires_at",
        "state",
    )
    list_filter = (ORGANIZATION_FILTER,)
    list_select_related = ("organization", "created_by__user")
    search_fields = ("name", "id")
    readonly_fields = (
        "id",
        "token_hint",
        "organization",
        "created_by",
        "scopes",
        "page_ids",
        "last_used_at",
        "revoked_at",
        "created_at",
    )
    fields = (
        "id",
        "token_hint",
        "name",
        "organization",
        "created_by",
        "scopes",
        "page_ids",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_at",
    )
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, key):
        return ", ".join(key.scopes) or "read-only"

    @admin.display(description="state")
    def state(self, key):
        if key.revoked_at:
            return "revoked"
        return "active" if key.is_active else "expired"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = super().get_form(request, obj, change=change, form=ApiKeyCreateForm, **kwargs)
        pages = list(
            organization_scoped(Organization.objects.all(), request.user, "id__in")
            .filter(status_pages__isnull=False)
            .order_by("name", "status_pages__name")
            .values_list("status_pages__id", "status_pages__name")
        )

        class ScopedPagesForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, **inner)
                self.fields["pages"].choices = pages

        return ScopedPagesForm

    def get_fields(self, request, obj=None):
        return (
            ("organization", "name", "scopes", "pages", "expires_at")
            if obj is None
            else self.fields
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        key, token = api_key_create(
            organization=data["organization"],
            name=data["name"],
            scopes=list(data["scopes"]),
            page_ids=list(data["pages"]),
            expires_at=data["expires_at"],
            created_by=membership_of(request.user, data["organization"]),
        )
        adopt_created(obj, key)
        obj.plain_token = token  # for this response only; never stored
        return None

    def response_add(self, request, obj, post_url_continue=None):
        # Rendered, never stored or redirected: the token exists only in this response.
        return self.render_page(
            request,
            "admin/accounts/apikey/token.html",
            title="Your new API key",
            key=obj,
            token=obj.plain_token,
        )

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(api_key=key)
        messages.success(request, "The selected keys are revoked; requests with them get 401.")
