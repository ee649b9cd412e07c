"""Checks on what subscribers give us: endpoints (SSRF) and phone numbers (E.164)."""

import phonenumbers
from django.core.exceptions import ValidationError

from channels.outbound import UnsafeURL, address_check
from core.validators import validate_url


def endpoint_validate(value: str) -> str:
    """An https URL (http with private networks allowed) whose host resolves to public
    addresses only; checked again at send time."""
    validate_url(value)
    try:
        address_check(value)
    except UnsafeURL as exc:
        raise ValidationError(str(exc)) from exc
    return value


def phone_normalize(number: str, country: str = "") -> str:
    """E.164 (``+14155550100``) from an international number ("+" or "00" and the country
    code) or a national one with its ``country`` (ISO 3166 alpha-2)."""
    region = (country or "").strip().upper() or None
    number = (number or "").strip()
    if number.startswith("00"):  # the international prefix most of the world dials
        number = "+" + number[2:]
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise ValidationError(
                "Give the number with its country code (e.g. +14155550100) or a known "
                "phone_country."
            ) from exc
        raise ValidationError("Enter a valid phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError("Enter a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
