"""``Idempotency-Key`` on POST: one execution, replayed responses, safe under races.

A request first *claims* its key with an INSERT committed on its own (the unique constraint
decides races), then runs the view and records the response in one transaction with the
view's writes. A crash mid-view rolls both back, so a stale claim can safely be taken over.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApiError
from core.models import IdempotencyRecord
from core.parsers import load_json

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# A claim older than this whose request never finished is from a crashed process.
STALE_CLAIM_AFTER = timedelta(minutes=5)


def key_is_valid(key: str) -> bool:
    return bool(_VALID_KEY.match(key))


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        document = load_json(body or b"null")
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        payload = canonical.encode()
    except (ValueError, RecursionError):
        payload = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + payload).hexdigest()


@dataclass
class Claim:
    record: IdempotencyRecord | None = None
    replay: IdempotencyRecord | None = None


def _ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _in_use(key: str) -> ApiError:
    return ApiError(
        status_code=409,
        code="idempotency_key_in_use",
        message="A request with this Idempotency-Key is still being processed; retry later.",
        details={"idempotency_key": key},
    )


def idempotency_claim(
    *, organization_id: str, key: str, method: str, path: str, fingerprint: str
) -> Claim:
    """Claim ``key`` for this request, or say what to answer instead (replay or an error)."""
    for _ in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    organization_id=organization_id,
                    key=key,
                    method=method,
                    path=path,
                    fingerprint=fingerprint,
                )
            return Claim(record=record)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(
                organization_id=organization_id, key=key
            ).first()
            if existing is None:
                continue  # released meanwhile: try again
        now = timezone.now()
        expired = existing.created_at < now - _ttl()
        stale = (
            existing.state == IdempotencyRecord.State.IN_PROGRESS
            and existing.updated_at < now - STALE_CLAIM_AFTER
        )
        if expired or stale:
            IdempotencyRecord.objects.filter(
                pk=existing.pk, updated_at=existing.updated_at
            ).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise ApiError(
                status_code=422,
                code="idempotency_key_reused",
                message="This Idempotency-Key was used with a different request.",
                details={"idempotency_key": key},
            )
        if existing.state == IdempotencyRecord.State.IN_PROGRESS:
            raise _in_use(key)
        return Claim(replay=existing)
    raise _in_use(key)


def idempotency_complete(*, record: IdempotencyRecord, status: int, body) -> None:
    record.state = IdempotencyRecord.State.COMPLETED
    record.response_status = status
    record.response_body = body
    record.save(update_fields=["state", "response_status", "response_body", "updated_at"])


def idempotency_release(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS
    ).delete()


def idempotency_records_purge() -> int:
    cutoff = timezone.now() - _ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotency_records_forget(*, organization_id: str) -> int:
    """An organization is gone: its keys and the responses kept for them go too."""
    deleted, _ = IdempotencyRecord.objects.filter(organization_id=organization_id).delete()
    return deleted
