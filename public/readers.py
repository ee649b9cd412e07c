"""How readers get into a non-public page: the sign-in form (an emailed one-time link), the
link itself, share links, and signing out. Every answer about a page that is missing, public,
or not for this reader is the same, so none of these tells whether a private page exists."""

import functools
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.languages import language_requested
from core.throttling import PublicRateThrottle
from public.views import page_base
from statuspages import readers
from statuspages.access import READER_COOKIE_SALT, READER_SESSION_SECONDS, reader_cookie_name
from statuspages.routing import find_page, page_route


def _in_requested_language(view):
    """The reader's language (``?lang=``, the selector's cookie, Accept-Language), never the
    page's: the sign-in screens look the same whatever page, or none, is behind them."""

    @functools.wraps(view)
    def in_language(request, *args, **kwargs):
        with translation.override(language_requested(request) or "en"):
            return view(request, *args, **kwargs)

    return in_language


def _reader_page(request, *, title: str, text: str = "", status: int = 200, **context):
    response = render(
        request, "public/reader.html", {"title": title, "text": text, **context}, status=status
    )
    response["Referrer-Policy"] = "no-referrer"  # a link's secret is in its address
    response["Cache-Control"] = "private, no-store"
    return response


def _signed_in(request, page, subject: str, max_age: int, slug) -> HttpResponse:
    response = HttpResponseRedirect(f"{page_base(slug)}/")
    response.set_signed_cookie(
        reader_cookie_name(page),
        subject,
        salt=READER_COOKIE_SALT,
        max_age=max_age,
        path="/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def _page_or_none(request, slug):
    try:
        return find_page(request, slug)
    except Http404:
        return None


@never_cache
@csrf_exempt  # asks for an email to be sent, nothing more; rate-limited per client
@require_http_methods(["GET", "POST"])
@_in_requested_language
def sign_in_view(request, slug: str | None = None):
    """The same form and the same answer for every address, page or none."""
    if page_route(request, slug) is None:
        raise Http404("No status page here.")
    title = _("Sign in to read this status page")
    if request.method == "GET":
        return _reader_page(request, title=title, ask_email=True)
    throttle = PublicRateThrottle()
    if not throttle.allow_request(request, None):
        response = _reader_page(
            request, title=_("Too many attempts"), text=_("Please wait a minute."), status=429
        )
        response["Retry-After"] = str(int(throttle.wait() + 0.999))
        return response
    email = (request.POST.get("email") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return _reader_page(
            request,
            title=title,
            text=_("Enter a valid email address."),
            status=400,
            ask_email=True,
        )
    page = _page_or_none(request, slug)
    if page is not None:
        readers.reader_sign_in_request(page=page, email=email)
    return _reader_page(
        request,
        title=_("Check your inbox"),
        text=_(
            "If this address may read the page, we have sent it a sign-in link. "
            "The link works once, within %(minutes)s minutes."
        )
        % {"minutes": readers.SIGN_IN_MINUTES},
    )


@never_cache
@csrf_exempt  # the link's secret is the credential
@require_http_methods(["GET", "POST"])
@_in_requested_language
def sign_in_link_view(request, sign_in_id: str, secret: str, slug: str | None = None):
    """GET shows a button (mail scanners that open links spend nothing); POST signs in."""
    page = find_page(request, slug)
    sign_in = readers.reader_sign_in_for_link(page, sign_in_id, secret)
    if sign_in is None:
        raise Http404("No status page here.")
    if request.method == "GET":
        return _reader_page(
            request,
            title=_("Sign in to %(name)s status") % {"name": page.name},
            button=_("Continue to the page"),
        )
    if not readers.reader_sign_in_redeem(sign_in=sign_in):
        raise Http404("No status page here.")
    return _signed_in(request, page, f"email:{sign_in.email}", READER_SESSION_SECONDS, slug)


@never_cache
def share_link_view(request, token: str, slug: str | None = None):
    """A share link admits its holder until it expires or is deleted."""
    page = find_page(request, slug)
    link = readers.share_link_for_token(page, token)
    if link is None or page.is_public:
        raise Http404("No status page here.")
    seconds_left = (link.expires_at - timezone.now()) // timedelta(seconds=1)
    max_age = max(1, min(READER_SESSION_SECONDS, seconds_left))
    return _signed_in(request, page, f"link:{link.id}", max_age, slug)


@never_cache
@csrf_exempt  # signing out harms nobody
@require_POST
def sign_out_view(request, slug: str | None = None):
    page = find_page(request, slug)
    response = HttpResponseRedirect(f"{page_base(slug)}/")
    response.delete_cookie(reader_cookie_name(page), path="/", samesite="Lax")
    return response
