from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from accounts.models import ApiKey, Membership
        from audit.actors import membership_id_source
        from audit.recording import register
        from tenancy.models import Organization

        def membership_id(user, organization) -> str | None:
            organization_id = getattr(organization, "pk", organization)
            return (
                Membership.objects.filter(user=user, organization_id=organization_id)
                .values_list("id", flat=True)
                .first()
            )

        membership_id_source(membership_id)

        # An organization's log goes with it: its deletion has nowhere to be recorded.
        register(
            Organization,
            object_type="organization",
            organization_id=lambda org: org.pk,
            record_deletes=False,
        )
        register(
            ApiKey,
            object_type="api_key",
            organization_id=lambda key: key.organization_id,
            secret_fields={"secret_hash"},
        )
        from accounts.roles import RoleAccess
        from core.admin import use_admin_access

        # The admin asks the members' roles who may change what (core offers the hook).
        use_admin_access(RoleAccess())
