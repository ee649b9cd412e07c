"""Admin sign-in with a one-time code for members of organizations that require it."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.selectors import user_requires_two_factor

# Admin pages an unverified user may still reach: signing in and out.
_OPEN_ADMIN_PATHS = ("login/", "logout/")


class TwoFactorMiddleware:
    """After the password, a member of an organization with ``require_two_factor`` is sent to
    the code page (enrolling a device first if they have none) before any admin page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_root = reverse("admin:index")
        user = getattr(request, "user", None)
        if (
            request.path.startswith(admin_root)
            and not request.path.removeprefix(admin_root).startswith(_OPEN_ADMIN_PATHS)
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user_requires_two_factor(user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('two-factor')}?{query}")
        return self.get_response(request)
