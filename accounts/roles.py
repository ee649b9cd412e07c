"""What each member role may do, in one place: the admin site asks here (through the access
policy core.admin offers), and so do the services that hand out API keys and invitations.

| role   | may change                                                        |
|--------|-------------------------------------------------------------------|
| owner  | everything, members and invitations included                      |
| admin  | everything but members: pages, components, API keys, settings     |
| editor | incidents, maintenances, their templates, subscribers             |
| viewer | nothing: reads only                                               |
"""

from accounts.models import Role, Scope
from accounts.selectors import user_roles

_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2, Role.OWNER: 3}

# The least role that may change a model's rows, by app, then by model (wins); else ADMIN.
_ROLE_BY_APP = {"incidents": Role.EDITOR, "maintenances": Role.EDITOR, "subscribers": Role.EDITOR}
_ROLE_BY_MODEL = {
    "accounts.membership": Role.OWNER,
    "accounts.invitation": Role.OWNER,
    "accounts.apikey": Role.ADMIN,
}

# Scopes a member's role lets them put on an API key (a key never grants more than its maker).
_GRANTABLE = {
    Role.OWNER: set(Scope.values),
    Role.ADMIN: set(Scope.values) - {Scope.MEMBERS_WRITE.value},
    Role.EDITOR: set(),
    Role.VIEWER: set(),
}


def role_at_least(role: str | None, least: str) -> bool:
    return role is not None and _RANK[Role(role)] >= _RANK[Role(least)]


def role_needed_to_change(model) -> Role:
    meta = model._meta
    return _ROLE_BY_MODEL.get(meta.label_lower) or _ROLE_BY_APP.get(meta.app_label) or Role.ADMIN


def role_may_grant_scopes(role: str) -> set[str]:
    return _GRANTABLE[Role(role)]


class RoleAccess:
    """The admin's access policy (core.admin.AdminAccess) read from members' roles. Superusers
    operate the whole service; other staff act in their organizations as their role allows."""

    def organization_ids(self, user) -> list[str]:
        return list(user_roles(user))

    def may_change(self, user, model, organization_id: str | None) -> bool:
        """``organization_id`` None: in at least one of the user's organizations."""
        if user.is_superuser:
            return True
        needed = role_needed_to_change(model)
        roles = user_roles(user)
        if organization_id is not None:
            return role_at_least(roles.get(organization_id), needed)
        return any(role_at_least(role, needed) for role in roles.values())

    def writable_organization_ids(self, user, model) -> list[str]:
        needed = role_needed_to_change(model)
        return [org for org, role in user_roles(user).items() if role_at_least(role, needed)]
