"""Pages a subscriber reaches from a message: confirm, unsubscribe, resend. No JavaScript; a
GET only shows a button, so link scanners in mail systems change nothing."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.throttling import PublicRateThrottle
from statuspages.routing import resolve_page
from subscribers import links, selectors, services


def _link_page(
    request, *, title: str, text: str, button: str | None = None, status=200, retry_after=None
):
    context = {"title": title, "text": text, "button": button}
    response = render(request, "subscribers/link.html", context, status=status)
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
    return _link_page(
        request,
        title="This link is not valid",
        text="It may have expired or been used already.",
        status=404,
    )


# Signed tokens are the credential here; there is no session for CSRF to protect.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm_view(request, token):
    subscriber = links.subscriber_for_confirm_token(token)
    if subscriber is None or not selectors.subscriber_may_hear(subscriber):
        return _invalid(request)
    page_name = subscriber.page.name
    if request.method == "GET" and subscriber.confirmed_at is None:
        return _link_page(
            request,
            title=f"Confirm your {page_name} subscription",
            text=f"You will receive {page_name} status updates at {subscriber.address}.",
            button="Confirm subscription",
        )
    services.subscriber_confirm(subscriber=subscriber)
    return _link_page(
        request,
        title="Subscription confirmed",
        text=f"You will receive {page_name} status updates at {subscriber.address}.",
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    """POST is also RFC 8058 one-click unsubscribe (``List-Unsubscribe=One-Click``)."""
    subscriber = links.subscriber_for_unsubscribe_token(token)
    if subscriber is None or not selectors.subscriber_may_hear(subscriber):
        return _link_page(
            request, title="You are unsubscribed", text="This subscription no longer exists."
        )
    page_name = subscriber.page.name
    if request.method == "GET":
        return _link_page(
            request,
            title=f"Unsubscribe from {page_name}",
            text=f"Stop sending {page_name} status updates to {subscriber.address}?",
            button="Unsubscribe",
        )
    services.subscriber_delete(subscriber=subscriber)
    return _link_page(
        request,
        title="You are unsubscribed",
        text=f"We will not send {page_name} status updates to {subscriber.address} any more.",
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
    return _link_page(
        request,
        title="Confirmation sent",
        text="If this subscription is waiting for confirmation, we have sent the link again.",
    )


@csrf_exempt  # the public page is cached and shared; a subscription waits for its email link
@require_POST
def subscribe_form_view(request, slug=None):
    """The human page's form: an HTML answer for people, the same whatever the address."""
    page = resolve_page(request, slug)
    if (wait := _throttled(request)) is not None:
        return _link_page(
            request,
            title="Too many attempts",
            text="Please wait a minute and try again.",
            status=429,
            retry_after=wait,
        )
    email = (request.POST.get("subscriber[email]") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return _link_page(
            request,
            title="Check the address",
            text=f"“{email}” is not an email address we can send to. Go back and try again.",
            status=400,
        )
    services.subscriber_create(page=page, channel="email", email=email)
    return _link_page(
        request,
        title="Check your inbox",
        text=f"We have sent a link to {email}. Follow it to receive {page.name} status updates.",
    )
