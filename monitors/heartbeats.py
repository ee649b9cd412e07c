"""Heartbeats: the checked job pings us. A ping makes the monitor up at once (thresholds do
not apply), ``/fail`` down at once, and silence past period + grace down (periodic task)."""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from core.validation import refused
from monitors.models import Monitor, MonitorKind, MonitorResult, MonitorState
from monitors.states import acting_as_monitor, transition

logger = logging.getLogger(__name__)

NO_PING = "No ping within period_seconds + grace_seconds."
FAIL_PING = "The job reported a failure (/fail)."


def heartbeat_due_at(monitor: Monitor, last_ping_at: datetime | None) -> datetime | None:
    if last_ping_at is None:
        return None
    return silence_ends(last_ping_at, monitor.period_seconds, monitor.grace_seconds)


def silence_ends(last_ping_at: datetime, period_seconds: int, grace_seconds: int) -> datetime:
    """When a heartbeat that last pinged at ``last_ping_at`` is overdue."""
    seconds = (period_seconds + grace_seconds) * settings.MONITORS_TIME_SCALE
    return last_ping_at + timedelta(seconds=seconds)


PING_SIGNALS = ("ping", "start", "fail")


def monitor_ping(
    *, token_hash: str | None = None, monitor_id: str | None = None, signal: str = "ping", at=None
) -> str | None:
    """A heartbeat's job pinged (``ping``: up at once, thresholds do not apply), started, or
    failed (down at once); returns the monitor's id, None for an unknown token.

    The everyday ping of a monitor already up is three statements and no model instance (a
    fleet of cron jobs pings at :00 together); a ping that changes the state takes the
    monitor's lock and goes through ``transition``."""
    if signal not in PING_SIGNALS:
        raise refused("signal", f"Use one of: {', '.join(PING_SIGNALS)}.")
    now = at or timezone.now()
    found = (
        Monitor.objects.filter(id=monitor_id)
        if monitor_id is not None
        else Monitor.objects.filter(ping_token_hash=token_hash)
    )
    row = (
        found.filter(kind=MonitorKind.HEARTBEAT)
        .values_list("id", "state", "paused", "locations", "period_seconds", "grace_seconds")
        .first()
    )
    if row is None:
        return None
    monitor_id, state, paused, locations, period, grace = row
    if signal == "start":
        Monitor.objects.filter(id=monitor_id).update(last_start_at=now)
        return monitor_id
    ok = signal == "ping"
    wanted = MonitorState.UP if ok else MonitorState.DOWN
    due = silence_ends(now, period, grace)
    with transaction.atomic():
        monitor = None
        if not paused and state != wanted:  # a change: under the monitor's lock
            monitor = Monitor.objects.select_for_update().filter(id=monitor_id).first()
            if monitor is None:
                return None
        MonitorResult.objects.bulk_create(
            [
                MonitorResult(
                    monitor_id=monitor_id,
                    location=locations[0] if locations else "default",
                    checked_at=now,
                    ok=ok,
                    error="" if ok else FAIL_PING,
                )
            ]
        )
        Monitor.objects.filter(id=monitor_id).update(
            last_checked_at=now, last_ping_at=now, heartbeat_due_at=due
        )
        if monitor is not None and not monitor.paused:
            with acting_as_monitor(monitor):
                transition(monitor, wanted, at=now, error="" if ok else FAIL_PING)
    return monitor_id


def heartbeat_overdue_mark(*, monitor_id: str) -> bool:
    """Down, if the heartbeat is still up and its deadline has passed (checked under lock)."""
    now = timezone.now()
    with transaction.atomic():
        monitor = (
            Monitor.objects.select_for_update()
            .filter(
                id=monitor_id,
                kind=MonitorKind.HEARTBEAT,
                paused=False,
                state__in=[MonitorState.UP, MonitorState.DEGRADED],
                heartbeat_due_at__lt=now,
            )
            .first()
        )
        if monitor is None:
            return False
        MonitorResult.objects.create(
            monitor=monitor,
            location=monitor.locations[0] if monitor.locations else "default",
            checked_at=now,
            ok=False,
            error=NO_PING,
        )
        Monitor.objects.filter(id=monitor.id).update(last_checked_at=now)
        with acting_as_monitor(monitor):
            return transition(monitor, MonitorState.DOWN, at=now, error=NO_PING)


def heartbeats_overdue_mark() -> int:
    """Periodic: every heartbeat silent past period + grace goes down; returns how many."""
    due = Monitor.objects.filter(
        kind=MonitorKind.HEARTBEAT,
        paused=False,
        state__in=[MonitorState.UP, MonitorState.DEGRADED],
        heartbeat_due_at__lt=timezone.now(),
    ).values_list("id", flat=True)
    return sum(heartbeat_overdue_mark(monitor_id=monitor_id) for monitor_id in list(due))


# ---- pings queued on Redis ---------------------------------------------------------------------
#
# With Redis and a worker and beat, a ping is one round trip to Redis (its token's monitor, cached
# there, and a push onto a list) and ``pings_record`` (beat, every MONITORS_DISPATCH_SECONDS)
# applies the pings of the last second in order: a fleet of cron jobs pinging at :00 costs no
# commit (a disk flush) per ping. Without them (the embedded default) a ping is applied at once.

PINGS_KEY = "monitors:pings"
PINGS_PER_RUN = 10_000


def _pings_client():
    from django.core.cache import caches

    redis_client = getattr(caches["default"], "redis_client", None)
    if redis_client is None or current_app.conf.task_always_eager:
        return None
    return redis_client()


def pings_queued() -> bool:
    """Whether pings wait on Redis for ``pings_record`` (MONITORS_PINGS_QUEUED; unset: with
    Redis and a Celery broker)."""
    queued = settings.MONITORS_PINGS_QUEUED
    if queued is None:
        return _pings_client() is not None
    return queued


# A ping URL's monitor, kept on Redis beside the list, so a queued ping is one round trip to
# Redis and none to the database: ``monitors:ping-token:{hash}`` holds the monitor's id, or ""
# for a token that is unknown, rotated away or deleted (so a stale lookup racing a rotation
# cannot bring the old URL back: it is written only where nothing is).
TOKEN_KEY = "monitors:ping-token:"
TOKEN_SECONDS = 600
UNKNOWN = ""

# One round trip: the token's monitor, and the ping pushed when there is one.
_PING_SCRIPT = """
local id = redis.call('GET', KEYS[1])
if id and id ~= '' then
  redis.call('RPUSH', KEYS[2], id .. ' ' .. ARGV[1] .. ' ' .. ARGV[2])
end
return id
"""
_scripts: dict[int, object] = {}


def _ping_script(client):
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_PING_SCRIPT)
    return script


def ping_tokens_forget(token_hashes: list[str]) -> None:
    """The ping URLs of these hashes answer 404 from now on (a rotation, a deletion): their
    cached monitor is replaced by "unknown". Call after the commit."""
    client = _pings_client()
    hashes = [token_hash for token_hash in token_hashes if token_hash]
    if client is None or not hashes:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for token_hash in hashes:
                pipe.set(TOKEN_KEY + token_hash, UNKNOWN, ex=TOKEN_SECONDS)
            pipe.execute()
    except RedisError:
        # Not forgotten here: the cached monitor lives TOKEN_SECONDS at most. Its pings are
        # answered and then ignored by ``pings_record`` for a deleted monitor.
        logger.warning("Redis could not forget %d ping URLs", len(hashes))


def monitor_deleted(sender, instance: Monitor, using: str, **kwargs) -> None:
    """``post_delete`` of Monitor (a page or an organization deleted with it too): its ping URL
    answers 404 once the deletion is committed."""
    if instance.ping_token_hash:
        token_hash = instance.ping_token_hash
        transaction.on_commit(lambda: ping_tokens_forget([token_hash]), using=using)


def ping_accept(*, token_hash: str, signal: str = "ping") -> bool:
    """A ping from the job: False for an unknown token. Queued (``pings_queued``) or applied
    at once; a broker that cannot take it gets it applied at once."""
    if signal not in PING_SIGNALS:
        raise refused("signal", f"Use one of: {', '.join(PING_SIGNALS)}.")
    client = _pings_client() if pings_queued() else None
    if client is None:  # not queued, or queued by setting with no Redis to queue on
        return monitor_ping(token_hash=token_hash, signal=signal) is not None
    at = timezone.now().isoformat()
    key = TOKEN_KEY + token_hash
    try:
        cached = _ping_script(client)(keys=[key, PINGS_KEY], args=[signal, at])
        if cached is not None:
            return bool(cached)  # "" (unknown) or the monitor's id
        monitor_id = (
            Monitor.objects.filter(ping_token_hash=token_hash, kind=MonitorKind.HEARTBEAT)
            .values_list("id", flat=True)
            .first()
        )
        with client.pipeline(transaction=False) as pipe:
            pipe.set(key, monitor_id or UNKNOWN, ex=TOKEN_SECONDS, nx=True)
            if monitor_id is not None:
                pipe.rpush(PINGS_KEY, f"{monitor_id} {signal} {at}")
            pipe.execute()
        return monitor_id is not None
    except RedisError:
        logger.warning("Redis refused a ping: applied at once")
        applied = monitor_ping(token_hash=token_hash, signal=signal, at=datetime.fromisoformat(at))
        return applied is not None


def pings_record() -> int:
    """Periodic: apply the queued pings, oldest first, each at the time it came; returns how
    many. The list is taken and trimmed in one transaction of Redis, so two runs never apply
    the same ping."""
    client = _pings_client()
    if client is None:
        return 0
    with client.pipeline(transaction=True) as pipe:
        pipe.lrange(PINGS_KEY, 0, PINGS_PER_RUN - 1)
        pipe.ltrim(PINGS_KEY, PINGS_PER_RUN, -1)
        entries, _ = pipe.execute()
    by_monitor: dict[str, list[tuple[str, datetime]]] = {}
    for entry in entries:
        monitor_id, signal, at = entry.decode().split(" ")
        by_monitor.setdefault(monitor_id, []).append((signal, datetime.fromisoformat(at)))
    for monitor_id, pings in by_monitor.items():
        if all(signal == "ping" for signal, _ in pings):
            # A run of plain pings: each is a result, the last one moves the monitor.
            _earlier_pings_record(monitor_id, [at for _, at in pings[:-1]])
            pings = pings[-1:]
        for signal, at in pings:
            monitor_ping(monitor_id=monitor_id, signal=signal, at=at)
    return len(entries)


def _earlier_pings_record(monitor_id: str, times: list[datetime]) -> None:
    if not times:
        return
    location = Monitor.objects.filter(id=monitor_id).values_list("locations", flat=True).first()
    if location is not None:  # else the monitor is gone
        MonitorResult.objects.bulk_create(
            MonitorResult(
                monitor_id=monitor_id,
                location=location[0] if location else "default",
                checked_at=at,
                ok=True,
            )
            for at in times
        )
