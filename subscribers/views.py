"""Pages a subscriber reaches from a message: confirm, unsubscribe, resend. No JavaScript; a
GET only shows a button, so link scanners in mail systems change nothing."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.languages import language_code, language_requested
from core.throttling import PublicRateThrottle
from statuspages.routing import resolve_page
from subscribers import links, selectors, services


def _link_page(
    request, *, title: str, text: str, button: str | None = None, status=200, retry_after=None
):
    context = {"title": title, "text": text, "button": button}
    response = render(request, "subscribers/link.html", context, status=status)
    response["Content-Language"] = translation.get_language()
    if retry_after is not None:
        response["Retry-After"] = retry_after
    return response


def _throttled(request) -> str | None:
    """The Retry-After seconds when this client is over the public rate limit, else None."""
    throttle = PublicRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return str(int(throttle.wait() + 0.999))


def _invalid(request):
    with translation.override(language_requested(request) or "en"):
        return _link_page(
            request,
            title=_("This link is not valid"),
            text=_("It may have expired or been used already."),
            status=404,
        )


def _subscriber_language(subscriber) -> str:
    return subscriber.language or subscriber.page.default_language


# Signed tokens are the credential here; there is no session for CSRF to protect.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm_view(request, token):
    subscriber = links.subscriber_for_confirm_token(token)
    if subscriber is None or not selectors.subscriber_may_hear(subscriber):
        return _invalid(request)
    names = {"page": subscriber.page.name, "address": subscriber.address}
    with translation.override(_subscriber_language(subscriber)):
        if request.method == "GET" and subscriber.confirmed_at is None:
            return _link_page(
                request,
                title=_("Confirm your %(page)s subscription") % names,
                text=_("You will receive %(page)s status updates at %(address)s.") % names,
                button=_("Confirm subscription"),
            )
        services.subscriber_confirm(subscriber=subscriber)
        return _link_page(
            request,
            title=_("Subscription confirmed"),
            text=_("You will receive %(page)s status updates at %(address)s.") % names,
        )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    """POST is also RFC 8058 one-click unsubscribe (``List-Unsubscribe=One-Click``)."""
    subscriber = links.subscriber_for_unsubscribe_token(token)
    if subscriber is None or not selectors.subscriber_may_hear(subscriber):
        with translation.override(language_requested(request) or "en"):
            return _link_page(
                request,
                title=_("You are unsubscribed"),
                text=_("This subscription no longer exists."),
            )
    names = {"page": subscriber.page.name, "address": subscriber.address}
    with translation.override(_subscriber_language(subscriber)):
        if request.method == "GET":
            return _link_page(
                request,
                title=_("Unsubscribe from %(page)s") % names,
                text=_("Stop sending %(page)s status updates to %(address)s?") % names,
                button=_("Unsubscribe"),
            )
        services.subscriber_delete(subscriber=subscriber)
        return _link_page(
            request,
            title=_("You are unsubscribed"),
            text=_("We will not send %(page)s status updates to %(address)s any more.") % names,
        )


@csrf_exempt
@require_POST
def resend_confirmation_view(request, subscriber_id, slug=None):
    """Always the same answer, so it tells nobody whether the id exists."""
    page = resolve_page(request, slug)
    if (wait := _throttled(request)) is not None:
        response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
        response["Retry-After"] = wait
        return response
    subscriber = selectors.subscriber_on_page(page, subscriber_id)
    if subscriber is not None:
        services.subscriber_confirmation_resend(subscriber=subscriber)
    with translation.override(language_requested(request) or page.default_language):
        return _link_page(
            request,
            title=_("Confirmation sent"),
            text=_(
                "If this subscription is waiting for confirmation, we have sent the link again."
            ),
        )


@csrf_exempt  # the public page is cached and shared; a subscription waits for its email link
@require_POST
def subscribe_form_view(request, slug=None):
    """The human page's form: an HTML answer for people, the same whatever the address."""
    page = resolve_page(request, slug)
    # The language the reader read the page in (the form says it), else what they ask for.
    language = language_code(request.POST.get("language")) or language_requested(request)
    with translation.override(language or page.default_language):
        return _subscribe_form_answer(request, page, language)


def _subscribe_form_answer(request, page, language: str | None):
    if (wait := _throttled(request)) is not None:
        return _link_page(
            request,
            title=_("Too many attempts"),
            text=_("Please wait a minute and try again."),
            status=429,
            retry_after=wait,
        )
    email = (request.POST.get("subscriber[email]") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return _link_page(
            request,
            title=_("Check the address"),
            text=_("“%(email)s” is not an email address we can send to. Go back and try again.")
            % {"email": email},
            status=400,
        )
    services.subscriber_create(page=page, channel="email", email=email, language=language or "")
    return _link_page(
        request,
        title=_("Check your inbox"),
        text=_("We have sent a link to %(email)s. Follow it to receive %(page)s status updates.")
        % {"email": email, "page": page.name},
    )
