"""Reading another service's API: every request through the outbound rules (address checks,
no redirects unless the source is a public page), JSON answers, back-off on 420/429 as the
answer's ``Retry-After`` says, and a pause when ``X-RateLimit-Remaining`` runs out."""

import email.utils
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from channels import outbound

# The largest answer read (a page of 100 incidents with their updates fits many times over).
MAX_BODY = 32 * 1024 * 1024
DEADLINE = 60.0
# Rate-limited answers waited out per request, and the longest single wait honoured.
MAX_RATE_LIMITED = 8
MAX_WAIT = 300.0
# Server errors and failed connections retried per request, waiting 1, 2, 4 s.
MAX_RETRIES = 3
RATE_LIMITED = (420, 429)

# Replaced in tests, so a Retry-After of seconds is not waited for real.
sleep = time.sleep


class SourceUnreadable(Exception):
    """The source cannot be read: unreachable, refused by the outbound rules, refused our key,
    or answered something that is not its API's JSON."""


def retry_after(headers, now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date); None when absent."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (now or time.time()))


def _quota_wait(headers, now: float) -> float:
    """A pause before the next request when the source says none are left in its window."""
    if headers.get("X-RateLimit-Remaining", "").strip() != "0":
        return 0.0
    reset = headers.get("X-RateLimit-Reset", "").strip()
    try:
        reset_value = float(reset)
    except ValueError:
        return 1.0
    # Epoch seconds (ours, GitHub's) or seconds from now (others).
    wait = reset_value - now if reset_value > 1_000_000_000 else reset_value
    return min(max(wait, 0.0), MAX_WAIT)


@dataclass
class SourceClient:
    """GETs under ``base_url`` with the source's auth ``headers``."""

    base_url: str
    headers: dict = field(default_factory=dict)
    redirects: int = 0
    requests: int = 0  # made, rate-limited ones included
    waited: float = 0.0  # seconds spent waiting on rate limits

    def url(self, path: str, params: dict | None = None) -> str:
        url = self.base_url.rstrip("/") + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        return url

    def get(self, path: str, params: dict | None = None, *, missing_ok: bool = False):
        """The decoded JSON at ``path``; with ``missing_ok`` a 404 is None."""
        url = self.url(path, params)
        retries = rate_limited = 0
        while True:
            self.requests += 1
            try:
                response = outbound.fetch(
                    url,
                    headers={"Accept": "application/json", **self.headers},
                    limit=MAX_BODY + 1,
                    deadline=DEADLINE,
                    redirects=self.redirects,
                )
            except outbound.UnsafeURL as exc:
                raise SourceUnreadable(f"{url}: refused by the outbound rules ({exc}).") from exc
            except outbound.OutboundError as exc:
                if retries < MAX_RETRIES:
                    retries += 1
                    self._wait(2.0 ** (retries - 1))
                    continue
                raise SourceUnreadable(f"{url}: no answer ({exc}).") from exc
            status = response.status_code
            if status in RATE_LIMITED and rate_limited < MAX_RATE_LIMITED:
                rate_limited += 1
                wait = retry_after(response.headers)
                self._wait(min(wait if wait is not None else 2.0**rate_limited, MAX_WAIT))
                continue
            if status >= 500 and retries < MAX_RETRIES:
                retries += 1
                self._wait(2.0 ** (retries - 1))
                continue
            self._wait(_quota_wait(response.headers, time.time()))
            return self._decoded(url, response, missing_ok)

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            sleep(seconds)

    def _decoded(self, url: str, response, missing_ok: bool):
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        if status in (401, 403):
            raise SourceUnreadable(f"{url}: the source refused the key ({status}).")
        if status != 200:
            raise SourceUnreadable(f"{url}: answered {status}{_said(response.body)}.")
        if len(response.body) > MAX_BODY:
            raise SourceUnreadable(f"{url}: the answer is larger than {MAX_BODY} bytes.")
        try:
            return json.loads(response.body)
        except ValueError as exc:
            raise SourceUnreadable(f"{url}: the answer is not JSON.") from exc


def _said(body: bytes) -> str:
    text = body[:200].decode("utf-8", "replace").strip()
    return f" ({text})" if text else ""


def base_url_checked(url: str) -> str:
    """The base URL as given, without a trailing slash; http(s) only."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceUnreadable(f"{url!r} is not an http(s) URL.")
    return url.rstrip("/")
