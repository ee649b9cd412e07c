"""Sending a batch of messages at once: HTTP sends overlap on a thread pool (bounded per batch
and, through ``outbound.connection_reuse``, per receiving host, every request still resolved,
checked and pinned); a channel that keeps one connection per batch (email) sends its messages
one after another on one of those threads."""

import contextvars
import logging
from collections.abc import Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from channels import outbound
from channels.transports import Transport, TransportError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one send came to: the receiver's code, or the error that stopped it."""

    response_code: int | None = None
    error: TransportError | None = None


# One pool per process, started on first use (after a prefork worker forked) and kept: starting
# dozens of threads for every batch cost more than the batch's database work.
_pool: ThreadPoolExecutor | None = None


def _threads(size: int) -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool._max_workers != size:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(size, thread_name_prefix="send")
    return _pool


def _send_one(transport: Transport, message) -> Outcome:
    try:
        return Outcome(response_code=transport.send(message))
    except TransportError as exc:
        return Outcome(response_code=exc.response_code, error=exc)
    except Exception as exc:  # a bug must not strand the rest of the batch: retry it later
        logger.exception("Unexpected error from the %s transport", transport.channel)
        return Outcome(error=TransportError(f"{type(exc).__name__}: {exc}"))


def _send_serially(transport: Transport, items: list[tuple[Hashable, object]]) -> dict:
    with transport.batch():
        return {key: _send_one(transport, message) for key, message in items}


def messages_send(
    sends: dict[Hashable, tuple[Transport, object]],
    *,
    concurrency: int,
    per_host: int | None = None,
    every: float = 1.0,
) -> Iterator[dict[Hashable, Outcome]]:
    """Send every ``(transport, message)`` of ``sends``, at most ``concurrency`` at once.

    Yields, on the calling thread, the outcomes that arrived since the last yield: every
    ``every`` seconds while sends are running (possibly none, so the caller can renew a claim)
    and once at the end; the caller's database work stays on its own thread."""
    if not sends:
        return
    serial: dict[str, tuple[Transport, list]] = {}
    overlapping: list[tuple[Hashable, Transport, object]] = []
    for key, (transport, message) in sends.items():
        if transport.concurrent:
            overlapping.append((key, transport, message))
        else:
            serial.setdefault(transport.channel, (transport, []))[1].append((key, message))
    pool = _threads(max(1, concurrency))
    with outbound.connection_reuse(per_host):
        # Each job runs in its own copy of this context: it sees the shared connections.
        futures: dict[Future, Hashable | None] = {}
        for transport, items in serial.values():
            job = pool.submit(contextvars.copy_context().run, _send_serially, transport, items)
            futures[job] = None
        for key, transport, message in overlapping:
            job = pool.submit(contextvars.copy_context().run, _send_one, transport, message)
            futures[job] = key
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=every)
                arrived: dict[Hashable, Outcome] = {}
                for job in done:
                    if futures[job] is None:
                        arrived.update(job.result())
                    else:
                        arrived[futures[job]] = job.result()
                yield arrived
        finally:
            for job in pending:
                job.cancel()
