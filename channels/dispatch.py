"""Sending a batch of messages at once. HTTP sends overlap on the process's sending loop
(``outbound``): one keep-alive session per batch, at most ``concurrency`` requests in flight and
``per_host`` to one host, every new connection resolved and checked. A channel that holds a
connection (email) sends its share one message after another on each of a few threads, each
thread with its own connection. Outcomes come back to the calling thread through a queue, so
its database work never runs on the loop."""

import asyncio
import contextlib
import logging
import queue
import time
from collections.abc import Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from channels import outbound
from channels.transports import Transport, TransportError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one send came to: the receiver's code, or the error that stopped it."""

    response_code: int | None = None
    error: TransportError | None = None


def _unexpected(transport: Transport, exc: Exception) -> Outcome:
    # A bug must not strand the rest of the batch: the delivery is retried later.
    logger.error("Unexpected error from the %s transport", transport.channel, exc_info=exc)
    return Outcome(error=TransportError(f"{type(exc).__name__}: {exc}"))


def _send_one(transport: Transport, message) -> Outcome:
    try:
        return Outcome(response_code=transport.send(message))
    except TransportError as exc:
        return Outcome(response_code=exc.response_code, error=exc)
    except Exception as exc:
        return _unexpected(transport, exc)


async def _overlapping(items, outcomes: queue.SimpleQueue, concurrency: int, per_host) -> None:
    """Send ``items`` (key, transport, message) on the loop, ``concurrency`` at a time."""
    in_flight = asyncio.Semaphore(concurrency)
    async with outbound.HttpSession(per_host) as http:

        async def one(key, transport: Transport, message) -> None:
            async with in_flight:
                try:
                    outcome = Outcome(response_code=await transport.asend(message, http))
                except TransportError as exc:
                    outcome = Outcome(response_code=exc.response_code, error=exc)
                except Exception as exc:
                    outcome = _unexpected(transport, exc)
            outcomes.put((key, outcome))

        await asyncio.gather(*(one(*item) for item in items))


def _serially(transport: Transport, items, outcomes: queue.SimpleQueue) -> None:
    try:
        with transport.batch():
            for key, message in items:
                outcomes.put((key, _send_one(transport, message)))
    except Exception as exc:  # the connection could not even be set up: retry them later
        for key, _message in items:
            outcomes.put((key, _unexpected(transport, exc)))


# Threads for the channels sent one message after another (a few per batch), kept per process.
_threads: ThreadPoolExecutor | None = None
SERIAL_THREADS = 8


def _serial_pool() -> ThreadPoolExecutor:
    global _threads
    if _threads is None:
        _threads = ThreadPoolExecutor(SERIAL_THREADS, thread_name_prefix="serial-send")
    return _threads


def messages_send(
    sends: dict[Hashable, tuple[Transport, object]],
    *,
    concurrency: int,
    per_host: int | None = None,
    serial_connections: int = 1,
    every: float = 1.0,
) -> Iterator[dict[Hashable, Outcome]]:
    """Send every ``(transport, message)`` of ``sends``: concurrent channels at most
    ``concurrency`` at once, the others split over ``serial_connections`` connections.

    Yields, on the calling thread, the outcomes that arrived since the last yield: every
    ``every`` seconds while sends are running (possibly none, so the caller can renew a claim)
    and once at the end."""
    if not sends:
        return
    serial: dict[str, tuple[Transport, list]] = {}
    overlapping = []
    for key, (transport, message) in sends.items():
        if transport.concurrent:
            overlapping.append((key, transport, message))
        else:
            serial.setdefault(transport.channel, (transport, []))[1].append((key, message))
    outcomes: queue.SimpleQueue = queue.SimpleQueue()
    jobs = []
    if overlapping:
        jobs.append(
            outbound.submit(_overlapping(overlapping, outcomes, max(1, concurrency), per_host))
        )
    for transport, items in serial.values():
        shares = max(1, min(serial_connections, SERIAL_THREADS, len(items)))
        for share in range(shares):
            jobs.append(_serial_pool().submit(_serially, transport, items[share::shares], outcomes))
    remaining = len(sends)
    try:
        while remaining:
            arrived: dict[Hashable, Outcome] = {}
            deadline = time.monotonic() + every
            while remaining:
                try:
                    key, outcome = outcomes.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                arrived[key] = outcome
                remaining -= 1
            if remaining and all(job.done() for job in jobs) and outcomes.empty():
                _jobs_check(jobs)  # every job ended and some outcomes never came: a bug
            yield arrived
    finally:
        for job in jobs:
            job.cancel()


def _jobs_check(jobs) -> None:
    for job in jobs:
        with contextlib.suppress(Exception):
            job.result()
    raise RuntimeError("A send job ended without reporting every outcome.")
