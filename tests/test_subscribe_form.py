"""A person subscribes from the human status page, without JavaScript."""

import datetime as dt

import pytest
from django.core import mail

from subscribers.models import Subscriber

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_the_status_page_form_posts_to_the_human_subscribe_page(client, page):
    html = client.get(f"/pages/{page.slug}/").content.decode()
    assert f'action="/pages/{page.slug}/subscribe"' in html
    assert 'name="subscriber[email]"' in html


def test_subscribing_from_the_page_answers_in_html_and_sends_a_confirmation(
    client, page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/pages/{page.slug}/subscribe", {"subscriber[email]": "ann@example.com"}
        )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get(email="ann@example.com")
    assert subscriber.confirmed_at is None
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]


def test_subscribing_twice_gives_the_same_answer(client, page):
    first = client.post(f"/pages/{page.slug}/subscribe", {"subscriber[email]": "a@example.com"})
    second = client.post(f"/pages/{page.slug}/subscribe", {"subscriber[email]": "a@example.com"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_a_bad_address_is_a_400_page_that_escapes_it(client, page):
    response = client.post(
        f"/pages/{page.slug}/subscribe", {"subscriber[email]": "<script>x</script>"}
    )
    assert response.status_code == 400
    assert b"<script>x</script>" not in response.content
    assert Subscriber.objects.count() == 0


def test_the_form_works_by_host_too(client, page):
    response = client.post(
        "/subscribe", {"subscriber[email]": "b@example.com"}, HTTP_HOST=f"{page.slug}.localhost"
    )
    assert response.status_code == 200
    assert Subscriber.objects.filter(page=page, email="b@example.com").exists()


def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(
    client, page, settings, time_machine
):
    # Stand still inside one rate-limit window: crossing a minute would refill every bucket.
    time_machine.move_to(dt.datetime(2026, 1, 1, 12, 0, 5, tzinfo=dt.UTC), tick=False)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.PUBLIC_SUBSCRIBE_RATE_LIMIT = "2/min"

    def subscribe(forwarded_for):
        return client.post(
            f"/pages/{page.slug}/subscribe",
            {"subscriber[email]": "c@example.com"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    # A client cannot pick its bucket: the proxy's own entry (rightmost) is what counts.
    assert [subscribe("1.1.1.1, 203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert subscribe("2.2.2.2, 203.0.113.7") == 429
    assert subscribe("203.0.113.8") == 200
