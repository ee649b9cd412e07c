from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from accounts.models import ApiKey
from core.errors import InsufficientScope
from core.scopes import required_scope


class IsApiKey(BasePermission):
    """Any valid key may read; unsafe methods need the view's ``write_scope``.

    A view may map methods to scopes with ``required_scopes = {"GET": "subscribers:read"}``.
    """

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated("Authentication credentials were not provided.")
        scope = required_scope(view, request.method)
        if scope and not request.auth.has_scope(scope):
            raise InsufficientScope(scope)
        return True
