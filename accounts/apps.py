from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from accounts.roles import RoleAccess
        from core.admin import use_admin_access

        # The admin asks the members' roles who may change what (core offers the hook).
        use_admin_access(RoleAccess())
