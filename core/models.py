from django.db import models

from core.ids import IdFactory


def id_field(prefix: str, random_bits: int = 80) -> models.CharField:
    return models.CharField(
        primary_key=True, max_length=64, default=IdFactory(prefix, random_bits), editable=False
    )


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first response to a POST that carried an ``Idempotency-Key``, kept for replays."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    # The organization's id as a plain key: core stands below tenancy and names no organization
    # (tenancy forgets an organization's records when it is deleted).
    organization_id = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2048)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization_id", "key"], name="idempotency_key_per_org"
            )
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
