import base64
import secrets

from django.db import models

from core.languages import Language
from core.models import TimestampedModel, id_field


class Channel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    SLACK = "slack"
    TEAMS = "teams"
    DISCORD = "discord"
    GOOGLE_CHAT = "google_chat"


# Channels whose owner must click a link before anything is sent (double opt-in).
OPT_IN_CHANNELS = (Channel.EMAIL, Channel.SMS)
# Channels that post to a URL the subscriber gave us (SSRF-checked at subscribe and send time).
URL_CHANNELS = (Channel.WEBHOOK, Channel.SLACK, Channel.TEAMS, Channel.DISCORD, Channel.GOOGLE_CHAT)


class SubscriberState(models.TextChoices):
    """Where a subscriber stands; one state each (a quarantined subscriber is quarantined
    whether or not it had confirmed)."""

    ACTIVE = "active"  # confirmed and not quarantined: the only ones anything is sent to
    UNCONFIRMED = "unconfirmed"  # waiting for its owner to click the link
    QUARANTINED = "quarantined"  # sent nothing until an operator lifts it


STATE_CONDITIONS = {
    SubscriberState.ACTIVE: models.Q(confirmed_at__isnull=False, quarantined_at__isnull=True),
    SubscriberState.UNCONFIRMED: models.Q(confirmed_at__isnull=True, quarantined_at__isnull=True),
    SubscriberState.QUARANTINED: models.Q(quarantined_at__isnull=False),
}


class SubscriberQuerySet(models.QuerySet):
    def in_state(self, state: str) -> "SubscriberQuerySet":
        return self.filter(STATE_CONDITIONS[SubscriberState(state)])

    def active(self) -> "SubscriberQuerySet":
        return self.in_state(SubscriberState.ACTIVE)


def new_signing_secret() -> str:
    """Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Subscriber(TimestampedModel):
    """Someone who hears about a page: all of it, some components, or one incident."""

    # 130 random bits: the id is the capability for the public PATCH/DELETE endpoints.
    id = id_field("sub", random_bits=130)
    page = models.ForeignKey(
        "statuspages.StatusPage", on_delete=models.CASCADE, related_name="subscribers"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    email = models.EmailField(max_length=254, blank=True, default="")
    phone_number = models.CharField(max_length=32, blank=True, default="")
    phone_country = models.CharField(max_length=2, blank=True, default="")
    endpoint = models.CharField(max_length=2048, blank=True, default="")
    # Empty: every component (page-wide).
    component_ids = models.JSONField(default=list, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscribers",
    )
    signing_secret = models.CharField(max_length=80, blank=True, default="")
    # The language of this subscriber's emails and SMS: the reader's when they subscribed on
    # the page; empty: the page's default language at the time of each message.
    language = models.CharField(max_length=8, choices=Language.choices, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["page", "id"],
                name="subscriber_active",
                condition=STATE_CONDITIONS[SubscriberState.ACTIVE],
            ),
        ]

    def __str__(self):
        return f"{self.channel} {self.address}"

    @property
    def address(self) -> str:
        if self.channel == Channel.EMAIL:
            return self.email
        if self.channel == Channel.SMS:
            return self.phone_number
        return self.endpoint

    @property
    def state(self) -> str:
        if self.quarantined_at is not None:
            return SubscriberState.QUARANTINED
        if self.confirmed_at is None:
            return SubscriberState.UNCONFIRMED
        return SubscriberState.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.state == SubscriberState.ACTIVE
