"""SMS numbers are stored in E.164 whatever way they were typed, and a number that cannot be
one is a 400 naming phone_number."""

import pytest

from subscribers.models import Subscriber

pytestmark = pytest.mark.django_db

COUNTRY_CODE_NEEDED = (
    "Give the number with its country code (e.g. +14155550100) or a known phone_country."
)


def _subscribe(api, page, number, country):
    return api.post(
        f"/api/v1/status-pages/{page.id}/subscribers",
        {"channel": "sms", "phone_number": number, "phone_country": country, "confirmed": True},
        format="json",
    )


@pytest.mark.parametrize(
    "number, country, stored",
    [
        ("+1 (415) 555-0100", "", "+14155550100"),
        ("415-555-0100", "us", "+14155550100"),
        ("07911 123456", "GB", "+447911123456"),
        ("0044 7911 123456", "", "+447911123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0803 123 4567", "NG", "+2348031234567"),  # a country the old table did not know
    ],
)
def test_a_number_is_stored_in_e164(api, page, number, country, stored):
    response = _subscribe(api, page, number, country)
    assert response.status_code == 201, response.json()
    assert response.json()["phone_number"] == stored
    assert response.json()["phone_country"] == (country.upper() or None)
    assert Subscriber.objects.get().phone_number == stored


@pytest.mark.parametrize(
    "number, country, message",
    [
        ("4155550100", "", COUNTRY_CODE_NEEDED),
        ("4155550100", "XX", COUNTRY_CODE_NEEDED),
        ("+999 1234567", "", COUNTRY_CODE_NEEDED),
        ("12345", "US", "Enter a valid phone number."),
        ("+1 415 555 01000", "", "Enter a valid phone number."),
        ("+447700900123", "", "Enter a valid phone number."),  # reserved for TV drama
        ("call me", "GB", "Enter a valid phone number."),
    ],
)
def test_a_number_that_is_not_one_is_a_400(api, page, number, country, message):
    response = _subscribe(api, page, number, country)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {"phone_number": [message]}
    assert not Subscriber.objects.exists()
