import ipaddress

from rest_framework.throttling import BaseThrottle

from audit.context import acting


def client_ip(request) -> str | None:
    """DRF's ``get_ident`` (REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost trusted one saw: the rule of the public rate limit), when it is an address."""
    address = (BaseThrottle().get_ident(request) or "").strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class AuditContextMiddleware:
    """Every request acts as its signed-in user (the admin) until API authentication names a
    key; writes record the request id and client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.user stays lazy: a read that writes nothing never loads the session.
        with acting(
            user=getattr(request, "user", None),
            request_id=getattr(request, "request_id", ""),
            client_ip=client_ip(request),
        ):
            return self.get_response(request)
