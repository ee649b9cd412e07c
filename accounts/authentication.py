from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts.services import InvalidToken, api_key_authenticate
from audit.actors import actor_for_api_key
from audit.context import act_as

WWW_AUTHENTICATE = 'Bearer realm="api"'


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer spk_<key-id>_<secret>``."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header; expected 'Bearer <token>'."
            )
        try:
            key = api_key_authenticate(token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        act_as(actor_for_api_key(key))
        return key, key

    def authenticate_header(self, request):
        return WWW_AUTHENTICATE
