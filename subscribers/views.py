"""Pages a subscriber reaches from a message: confirm, unsubscribe, resend. No JavaScript; a
GET only shows a button, so link scanners in mail systems change nothing."""

import time

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.ratelimit import rate_limit_hit
from statuspages.routing import resolve_page
from subscribers import links, services
from subscribers.models import Subscriber
from subscribers.public_api import client_address


def _link_page(request, *, title: str, text: str, button: str | None = None, status=200):
    context = {"title": title, "text": text, "button": button}
    return render(request, "subscribers/link.html", context, status=status)


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
    if subscriber is None:
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
    if subscriber is None:
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
    state = rate_limit_hit(
        f"public-subscribe:{client_address(request)}", settings.PUBLIC_SUBSCRIBE_RATE_LIMIT
    )
    if state.exceeded:
        response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
        response["Retry-After"] = str(max(1, int(state.reset_at - time.time())))
        return response
    subscriber = Subscriber.objects.filter(page=page, id=subscriber_id).first()
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
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    page = resolve_page(request, slug)
    state = rate_limit_hit(
        f"public-subscribe:{client_address(request)}", settings.PUBLIC_SUBSCRIBE_RATE_LIMIT
    )
    if state.exceeded:
        return _link_page(
            request,
            title="Too many attempts",
            text="Please wait a minute and try again.",
            status=429,
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
