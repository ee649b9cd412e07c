"""The one interface every channel implements, its error, and the HTTP helpers they share."""

import asyncio
import contextlib
import email.utils
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from channels import outbound


class TransportError(Exception):
    """A failed send. ``permanent``: retrying cannot help; ``gone``: the receiver asked us to
    stop (HTTP 410, an SMS number that replied STOP), which is permanent too."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        response_code: int | None = None,
        retry_after: float | None = None,
        gone: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent or gone
        self.response_code = response_code
        self.retry_after = retry_after
        self.gone = gone


class Transport(ABC):
    """One channel. ``send`` delivers one message of ``message_type`` and returns the
    receiver's response code (None where the channel has none) or raises TransportError.

    A batch sends ``concurrent`` channels' messages overlapping on the sending loop
    (``asend``; by default ``send`` on a thread) and the others one after another on a few
    threads, each holding one connection open around its share (``batch``)."""

    channel: ClassVar[str]
    message_type: ClassVar[type]
    concurrent: ClassVar[bool] = True

    @abstractmethod
    def send(self, message) -> int | None: ...

    async def asend(self, message, http: outbound.HttpSession) -> int | None:
        """Send on the sending loop within a batch's HTTP session."""
        return await asyncio.get_running_loop().run_in_executor(None, self.send, message)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Around a share of a batch sent on one thread: a channel may hold a connection."""
        yield


class HttpTransport(Transport):
    """A channel that POSTs to a URL the subscriber gave: sends overlap on the loop."""

    @abstractmethod
    async def asend(self, message, http: outbound.HttpSession) -> int | None: ...

    def send(self, message) -> int | None:
        return outbound.run(self._send_alone(message))

    async def _send_alone(self, message) -> int | None:
        async with outbound.HttpSession() as http:
            return await self.asend(message, http)


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, parsed.timestamp() - time.time())


def response_check(response: outbound.Reply) -> int:
    """Raise the right TransportError for a non-2xx answer; return the code otherwise."""
    code = response.status_code
    if 200 <= code < 300:
        return code
    if code == 410:
        raise TransportError(
            "410 Gone: the receiver asked us to stop.", gone=True, response_code=code
        )
    if code == 429 or code >= 500:
        raise TransportError(
            f"HTTP {code}",
            response_code=code,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if 300 <= code < 400:
        raise TransportError(
            f"HTTP {code}: redirects are not followed.", permanent=True, response_code=code
        )
    raise TransportError(f"HTTP {code}", permanent=True, response_code=code)


async def apost_json(
    http: outbound.HttpSession,
    url: str,
    body: dict | bytes,
    headers: dict[str, str] | None = None,
) -> int:
    """POST JSON through a batch's session; the answer's code, or the right TransportError."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        reply = await http.post(
            url, content=content, headers={"Content-Type": "application/json", **(headers or {})}
        )
    except outbound.UnsafeURL as exc:
        raise TransportError(str(exc), permanent=True) from exc
    except outbound.OutboundError as exc:
        raise TransportError(str(exc)) from exc
    return response_check(reply)


def post_json(url: str, body: dict | bytes, headers: dict[str, str] | None = None) -> int:
    """The same, alone (outside a batch)."""

    async def alone() -> int:
        async with outbound.HttpSession() as http:
            return await apost_json(http, url, body, headers)

    return outbound.run(alone())
