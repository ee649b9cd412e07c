"""The languages a page's built-in words are shown in, and which one a reader asked for.

A reader's choice comes from the request alone (no session, no query), so the public cache can
key a human page on it before anything else runs: the ``?lang=`` selector, then the cookie the
selector sets, then ``Accept-Language``. None of them naming one of ours: the page's default.
"""

from django.conf import settings
from django.db import models
from django.utils.translation.trans_real import parse_accept_lang_header


class Language(models.TextChoices):
    """Each labelled in its own language, as a language selector shows it."""

    ENGLISH = "en", "English"
    FRENCH = "fr", "Français"
    GERMAN = "de", "Deutsch"
    SPANISH = "es", "Español"
    JAPANESE = "ja", "日本語"


LANGUAGE_PARAM = "lang"
# A year: the selector is a preference, not a session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def language_code(value: str | None) -> str | None:
    """``fr``, ``fr-CA`` or ``FR`` -> ``fr``; None for anything that is not one of ours."""
    if not value or len(value) > 35:
        return None
    code = value.strip().lower().split("-")[0].split("_")[0]
    return code if code in Language.values else None


def language_selected(request) -> str | None:
    """The language the ``?lang=`` selector names on this request, if it is one of ours."""
    return language_code(request.GET.get(LANGUAGE_PARAM))


def language_requested(request) -> str | None:
    """The reader's language from the request alone, or None (then the page's default)."""
    for choice in (
        request.GET.get(LANGUAGE_PARAM),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
    ):
        if code := language_code(choice):
            return code
    accepted = parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    for tag, quality in accepted:  # best first; q=0 means "not this one"
        if quality > 0 and (code := language_code(tag)):
            return code
    return None


def remember_language(response, code: str) -> None:
    """The selector's cookie: later pages (and the early cache) follow the choice."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
