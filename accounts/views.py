"""Accepting an invitation and the admin's one-time-code step: plain HTML forms, no JavaScript."""

from base64 import b32encode

import django_otp
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services


def _page(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    # The link's secret is in the address: never send it on to another site.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _invalid_invitation(request):
    return _page(
        request,
        "accounts/invitation.html",
        {"title": "This invitation is not valid", "invalid": True},
        status=404,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_view(request, membership_id, secret):
    membership = services.invitation_for_link(membership_id, secret)
    if membership is None:
        return _invalid_invitation(request)
    needs_password = services.invitation_needs_password(membership)
    form = SetPasswordForm(membership.user, request.POST or None) if needs_password else None
    if request.method == "POST" and (form is None or form.is_valid()):
        password = form.cleaned_data["new_password1"] if form else None
        try:
            services.invitation_accept(membership=membership, password=password)
        except services.MemberConflict:
            return _invalid_invitation(request)  # spent by a request racing this one
        except ValidationError as refusal:
            form.add_error("new_password1", refusal.messages)
        else:
            return _page(
                request,
                "accounts/invitation.html",
                {
                    "title": f"Welcome to {membership.organization.name}",
                    "joined": True,
                    "login_url": reverse("admin:login"),
                    "username": membership.user.get_username(),
                },
            )
    return _page(
        request,
        "accounts/invitation.html",
        {
            "title": f"Join {membership.organization.name}",
            "membership": membership,
            "form": form,
        },
    )


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _admin_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


@never_cache
@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def two_factor_view(request):
    """Enrol a TOTP device (the secret and otpauth URI are shown until a first code confirms
    it), or prove you hold it: either way this session is then verified."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        device = device or TOTPDevice.objects.create(user=user, name="admin", confirmed=False)
    form = OneTimeCodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            return redirect(_admin_next(request))
        form.add_error("code", "That code is not right; codes change every 30 seconds.")
    context = {
        "title": "Set up two-factor sign-in" if enrolling else "Enter your one-time code",
        "form": form,
        "enrolling": enrolling,
        "next": _admin_next(request),
    }
    if enrolling:
        context["secret"] = b32encode(device.bin_key).decode()
        context["otpauth_uri"] = device.config_url
    return render(request, "accounts/two_factor.html", context)
