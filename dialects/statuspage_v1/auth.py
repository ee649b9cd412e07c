"""Statuspage's own ways of sending the key: ``Authorization: OAuth <key>`` or ``?api_key=``.
The key is one of ours (``spk_...``), checked exactly as the management API checks it."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts.services import InvalidToken, api_key_authenticate

WWW_AUTHENTICATE = 'OAuth realm="api"'


class StatuspageKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header:
            scheme, _, token = header.partition(" ")
            token = token.strip()
            # Bearer too: the same key works whichever of our APIs a script was written for.
            if scheme.lower() not in ("oauth", "bearer") or not token or " " in token:
                raise exceptions.AuthenticationFailed(
                    "Malformed Authorization header; expected 'OAuth <api key>'."
                )
        else:
            token = request.query_params.get("api_key")
            if token is None:
                return None
        try:
            key = api_key_authenticate(token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        return key, key

    def authenticate_header(self, request):
        return WWW_AUTHENTICATE
