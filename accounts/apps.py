from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from accounts.models import ApiKey, Organization
        from audit.recording import register

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
