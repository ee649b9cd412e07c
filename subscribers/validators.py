"""Checks on what subscribers give us: endpoints (SSRF) and phone numbers (E.164)."""

import re

from django.core.exceptions import ValidationError

from channels.outbound import UnsafeURL, address_check
from core.validators import validate_url

# Calling codes for the countries most status pages serve; other numbers must be given in
# E.164 form ("+" and the country code).
CALLING_CODES = {
    "US": "1",
    "CA": "1",
    "GB": "44",
    "IE": "353",
    "FR": "33",
    "DE": "49",
    "NL": "31",
    "BE": "32",
    "LU": "352",
    "CH": "41",
    "AT": "43",
    "ES": "34",
    "PT": "351",
    "IT": "39",
    "SE": "46",
    "NO": "47",
    "DK": "45",
    "FI": "358",
    "PL": "48",
    "CZ": "420",
    "AU": "61",
    "NZ": "64",
    "JP": "81",
    "KR": "82",
    "SG": "65",
    "IN": "91",
    "BR": "55",
    "MX": "52",
    "ZA": "27",
    "IL": "972",
    "AE": "971",
}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


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
    """E.164 (``+14155550100``) from an international number or a national one + country."""
    digits = re.sub(r"[\s().\-]", "", number or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        code = CALLING_CODES.get((country or "").upper())
        if code is None:
            raise ValidationError(
                "Give the number with its country code (e.g. +14155550100) or a known "
                "phone_country."
            )
        digits = "+" + code + digits.lstrip("0")
    if not _E164.match(digits):
        raise ValidationError("Enter a valid phone number.")
    return digits
